package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nothing"), dangling); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		refused bool
	}{
		{"new file", filepath.Join(dir, "new"), false},
		{"existing regular file is replaced", existing, false},
		{"link to a file", link, true},
		{"dangling link", dangling, true},
		{"folder", sub, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteFile(tc.path, []byte("new"))
			if tc.refused {
				if !errors.Is(err, ErrNotRegular) {
					t.Fatalf("want ErrNotRegular, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(tc.path)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%v %v", fi, err)
			}
			if b, _ := os.ReadFile(tc.path); string(b) != "new" {
				t.Fatalf("content %q", b)
			}
		})
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatal("written through a link")
	}
	if _, err := os.Lstat(filepath.Join(dir, "nothing")); err == nil {
		t.Fatal("a dangling link's target was created")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".tmp" {
			t.Fatalf("temporary left: %s", e.Name())
		}
	}
	if _, err := OpenRegular(link); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("OpenRegular(link) = %v", err)
	}
}

func TestCommitCheckFailsKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "t")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Create(target)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("bad")
	boom := errors.New("does not verify")
	if err := f.Commit(func(string) error { return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Fatalf("target changed: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left %d files", len(entries))
	}
}
