package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// viewCopies lists the files under dir/view other than amt's marker.
func viewCopies(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dir, ViewDir)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return nil
		}
		if err != nil {
			return err
		}
		if !e.IsDir() && p != filepath.Join(root, viewMarker) {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeFiles creates files (path relative to root → content) with their directories.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// missing returns the files (relative to root) that are gone.
func missing(root string, files map[string]string) []string {
	var out []string
	for name := range files {
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(name))); err != nil {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func symlinkOrSkip(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// makeOlderCache turns the cache in dir into one as an amt before the markers left it: no marker
// files and no record of the check in the database.
func makeOlderCache(t *testing.T, dir string) {
	t.Helper()
	s := openTest(t, dir)
	if err := s.update(func(tx *bolt.Tx) error { return del(tx, bKV, []byte(dirsSettledKey)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, p := range []string{filepath.Join(dir, AttachmentsDir, attachmentsMarker), filepath.Join(dir, ViewDir, viewMarker)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// TestViewCopiesRemovedAtClose: Close empties view/, and a later open starts without copies.
func TestViewCopiesRemovedAtClose(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	content := pattern(attChunk + 10)
	att := attOf("att-1", content)
	putAttachment(t, s, "case-1", att, content, 1000)
	vp, err := s.ViewAttachment("case-1", att, ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(vp); err != nil || !bytes.Equal(b, content) {
		t.Fatalf("viewer copy: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if copies := viewCopies(t, dir); len(copies) > 0 {
		t.Fatalf("viewer copies after Close: %v", copies)
	}
	if _, err := s.ViewAttachment("case-1", att, ".pdf"); !errors.Is(err, ErrClosed) {
		t.Errorf("ViewAttachment after Close: %v", err)
	}
	if copies := viewCopies(t, dir); len(copies) > 0 {
		t.Fatalf("viewer copy written after Close: %v", copies)
	}
	s = openTest(t, dir)
	if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("sealed file lost at Close: %v", err)
	}
}

// TestCloseWaitsForViews: a copy being written while the store closes is either refused
// (ErrClosed) or written before Close empties view/: none outlives Close.
func TestCloseWaitsForViews(t *testing.T) {
	content := pattern(16 * attChunk)
	att := attOf("att-1", content)
	for round := range 10 {
		dir := t.TempDir()
		s := openTest(t, dir)
		putAttachment(t, s, "case-1", att, content, attChunk)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.ViewAttachment("case-1", att, ".pdf") })
		}
		wg.Go(func() { _ = s.Close() })
		wg.Wait()
		for i, err := range errs {
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Fatalf("round %d, view %d: %v", round, i, err)
			}
		}
		if copies := viewCopies(t, dir); len(copies) > 0 {
			t.Fatalf("round %d: copies after Close: %v", round, copies)
		}
	}
}

// TestOpenDeletesOnlyAmtsFiles: the open-time cleanup, Close and Purge never delete files amt did
// not make: not in a view/ or attachments/ amt did not create (a data directory set to an existing
// folder), not through links, not entries named unlike amt's. Older caches' plaintext files go.
func TestOpenDeletesOnlyAmtsFiles(t *testing.T) {
	userFiles := map[string]string{
		"view/case-1/att-1.pdf":           "%PDF Urlaubsfotos",
		"view/Urlaub/foto.jpg":            "JFIF",
		"view/notiz.txt":                  "Einkaufsliste",
		"attachments/case-1/att-1":        "%PDF Steuererklärung",
		"attachments/Rechnungen/2024.pdf": "%PDF Rechnung",
	}
	for _, tc := range []struct {
		name string
		// setup prepares dir (the cache dir) and returns the folder whose files must survive.
		setup func(t *testing.T, dir string) string
	}{
		{"data dir set to a folder with view/ and attachments/", func(t *testing.T, dir string) string {
			writeFiles(t, dir, userFiles)
			return dir
		}},
		{"view/ and attachments/ are links elsewhere", func(t *testing.T, dir string) string {
			elsewhere := t.TempDir()
			writeFiles(t, elsewhere, userFiles)
			symlinkOrSkip(t, filepath.Join(elsewhere, "view"), filepath.Join(dir, ViewDir))
			symlinkOrSkip(t, filepath.Join(elsewhere, "attachments"), filepath.Join(dir, AttachmentsDir))
			return elsewhere
		}},
		{"links in an existing cache of an older amt", func(t *testing.T, dir string) string {
			makeOlderCache(t, dir)
			for _, d := range []string{ViewDir, AttachmentsDir} {
				if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
					t.Fatal(err)
				}
			}
			elsewhere := t.TempDir()
			writeFiles(t, elsewhere, userFiles)
			symlinkOrSkip(t, filepath.Join(elsewhere, "view"), filepath.Join(dir, ViewDir))
			symlinkOrSkip(t, filepath.Join(elsewhere, "attachments"), filepath.Join(dir, AttachmentsDir))
			return elsewhere
		}},
		{"links to case folders inside amt's directories", func(t *testing.T, dir string) string {
			s := openTest(t, dir)
			content := pattern(10)
			putAttachment(t, s, "case-0", attOf("att-0", content), content, 10)
			if _, err := s.ViewAttachment("case-0", attOf("att-0", content), ".pdf"); err != nil {
				t.Fatal(err)
			}
			s.Close()
			elsewhere := t.TempDir()
			writeFiles(t, elsewhere, userFiles)
			symlinkOrSkip(t, filepath.Join(elsewhere, "view", "case-1"), filepath.Join(dir, ViewDir, "case-1"))
			symlinkOrSkip(t, filepath.Join(elsewhere, "attachments", "case-1"), filepath.Join(dir, AttachmentsDir, "case-1"))
			return elsewhere
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			root := tc.setup(t, dir)
			check := func(when string) {
				t.Helper()
				if gone := missing(root, userFiles); len(gone) > 0 {
					t.Fatalf("%s: deleted %v", when, gone)
				}
			}
			s := openTest(t, dir)
			check("open")
			c := mkCase(1, "2026-12-01", 1)
			c.ID = "case-1"
			c.Status = api.StatusClosed
			if err := s.ApplyChanges(upsert(c), ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Purge(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			check("purge")
			s.Close()
			check("close")
			s = openTest(t, dir) // a second open: the cache exists now
			check("second open")
			s.Close()
			check("second close")
		})
	}
}

// TestViewRefusesForeignFolder: amt writes no plaintext copy into a view/ it did not make or that
// is a link (it could never remove it), and says so.
func TestViewRefusesForeignFolder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"folder amt did not make", func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"view/notiz.txt": "x"})
		}},
		{"link", func(t *testing.T, dir string) {
			symlinkOrSkip(t, t.TempDir(), filepath.Join(dir, ViewDir))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			s := openTest(t, dir)
			content := pattern(10)
			att := attOf("att-1", content)
			putAttachment(t, s, "case-1", att, content, 10)
			if _, err := s.ViewAttachment("case-1", att, ".pdf"); !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrViewFolder) {
				t.Fatalf("view into a foreign view/: %v, want ErrInvalid and ErrViewFolder", err)
			}
			real, err := filepath.EvalSymlinks(filepath.Join(dir, ViewDir))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(filepath.Join(real, "case-1")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("wrote into the foreign view/: %v", err)
			}
		})
	}
	// An empty view/ (amt made it and died before the marker, or the clerk emptied it) is taken.
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ViewDir), 0o755); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, dir)
	content := pattern(10)
	att := attOf("att-1", content)
	putAttachment(t, s, "case-1", att, content, 10)
	if _, err := s.ViewAttachment("case-1", att, ".pdf"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if copies := viewCopies(t, dir); len(copies) > 0 {
		t.Errorf("copies after Close: %v", copies)
	}
}

// TestViewClearKeepsForeignEntries: in amt's own view/, emptying removes amt's copies only.
func TestViewClearKeepsForeignEntries(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	content := pattern(10)
	att := attOf("att-1", content)
	putAttachment(t, s, "case-1", att, content, 10)
	vp, err := s.ViewAttachment("case-1", att, ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	foreign := map[string]string{
		"view/Notizen zum Fall.txt":         "x",
		"view/case-1/Brief an das Amt.docx": "x",
		"view/Meine Bilder/a.jpg":           "x",
	}
	writeFiles(t, dir, foreign)
	s.Close()
	if _, err := os.Stat(vp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("amt's copy kept: %v", err)
	}
	if gone := missing(dir, foreign); len(gone) > 0 {
		t.Errorf("deleted %v", gone)
	}
}

// TestOlderCacheStillSwept: a cache of an amt before the markers (amt.db exists, no markers) is
// amt's: its plaintext attachments and viewer copies are removed, and the directories marked. A
// new cache in a folder with an attachments/ of someone else's is never swept, not even at its
// second open.
func TestOlderCacheStillSwept(t *testing.T) {
	t.Run("older cache", func(t *testing.T) {
		dir := t.TempDir()
		s := openTest(t, dir)
		content := pattern(attChunk + 1)
		att := attOf("att-keep", content)
		putAttachment(t, s, "case-1", att, content, 1000)
		if _, err := s.ViewAttachment("case-1", att, ".pdf"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		makeOlderCache(t, dir)
		legacy := map[string]string{
			"attachments/case-1/att-old":     "%PDF-1.4 Einkommensnachweis",
			"attachments/case-2/att-old.pdf": "%PDF-1.4 Einkommensnachweis",
			"view/case-1/att-old.pdf":        "%PDF-1.4 Einkommensnachweis",
		}
		writeFiles(t, dir, legacy)
		s = openTest(t, dir)
		if left := len(legacy) - len(missing(dir, legacy)); left > 0 {
			t.Errorf("%d plaintext files of the older cache kept", left)
		}
		if copies := viewCopies(t, dir); len(copies) > 0 {
			t.Errorf("viewer copies kept: %v", copies)
		}
		if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("sealed file: %v", err)
		}
		for _, m := range []string{filepath.Join(AttachmentsDir, attachmentsMarker), filepath.Join(ViewDir, viewMarker)} {
			if _, err := os.Stat(filepath.Join(dir, m)); err != nil {
				t.Errorf("not marked: %v", err)
			}
		}
	})
	t.Run("older cache moved aside", func(t *testing.T) {
		dir := t.TempDir()
		openTest(t, dir).Close()
		makeOlderCache(t, dir)
		legacy := map[string]string{"attachments/case-1/att-old": "%PDF-1.4 Einkommensnachweis"}
		writeFiles(t, dir, legacy)
		if _, err := MoveAside(dir, time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		openTest(t, dir).Close()
		if len(missing(dir, legacy)) != 1 {
			t.Error("plaintext file of the older cache kept")
		}
	})
	t.Run("new cache next to someone's attachments folder", func(t *testing.T) {
		dir := t.TempDir()
		theirs := map[string]string{"attachments/case-1/att-1": "%PDF Steuererklärung"}
		writeFiles(t, dir, theirs)
		for i := 0; i < 3; i++ {
			openTest(t, dir).Close()
			if gone := missing(dir, theirs); len(gone) > 0 {
				t.Fatalf("open %d deleted %v", i+1, gone)
			}
		}
	})
}

func TestSafeNameFileSystems(t *testing.T) {
	for _, tc := range []struct {
		id   string
		kept bool
	}{
		{"case-1", true},
		{"att_2.pdf", true},
		{".hidden", true},
		{"com10", true},
		{"console", true},
		{"nul-1", true},
		{"A1", false},
		{"Case-1", false},
		{"con", false},
		{"CON", false},
		{"con.pdf", false},
		{"nul.tar.gz", false},
		{"aux", false},
		{"prn.txt", false},
		{"com1", false},
		{"com0.x", false},
		{"lpt9", false},
		{"att.", false},
		{".", false},
		{"..", false},
		{"", false},
		{"a b", false},
		{strings.Repeat("a", 101), false},
	} {
		got := safeName(tc.id)
		if (got == tc.id) != tc.kept {
			t.Errorf("safeName(%q) = %q, kept %v, want kept %v", tc.id, got, got == tc.id, tc.kept)
		}
		if !currentName(got) {
			t.Errorf("safeName(%q) = %q: not a current name", tc.id, got)
		}
		if strings.ToLower(got) != got {
			t.Errorf("safeName(%q) = %q has upper case", tc.id, got)
		}
	}
	if safeName("A1") == safeName("a1") {
		t.Error("A1 and a1 share a name")
	}
}

// TestSweepRemovesOldNames: files under names older amt versions gave (upper case, device names)
// belong to no attachment now; the open-time sweep removes them, with their directories.
func TestSweepRemovesOldNames(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	content := pattern(attChunk + 5)
	for _, p := range []struct{ c, a string }{{"Case-A", "att-1"}, {"case-1", "ATT-2"}, {"case-1", "con"}, {"case-1", "att-1"}} {
		putAttachment(t, s, p.c, attOf(p.a, content), content, 1000)
	}
	root := filepath.Join(dir, AttachmentsDir)
	sealed, err := os.ReadFile(s.AttachmentPath("case-1", "att-1"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// As an older amt named them: sealed with this cache's key, so only the name tells.
	old := map[string]string{
		"Case-A/att-1":      string(sealed),
		"case-1/ATT-2":      string(sealed),
		"case-1/ATT-2~part": string(sealed),
		"case-1/con":        string(sealed),
		"case-1/att.":       string(sealed),
	}
	writeFiles(t, root, old)
	s = openTest(t, dir)
	if kept := len(old) - len(missing(root, old)); kept > 0 {
		gone := missing(root, old)
		t.Errorf("%d files under old names kept (removed: %v)", kept, gone)
	}
	if _, err := os.Stat(filepath.Join(root, "Case-A")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("directory of an old name kept: %v", err)
	}
	for _, p := range []struct{ c, a string }{{"Case-A", "att-1"}, {"case-1", "ATT-2"}, {"case-1", "con"}, {"case-1", "att-1"}} {
		if got, err := readAttachment(s, p.c, attOf(p.a, content)); err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s/%s under its current name: %v", p.c, p.a, err)
		}
	}
}

// TestConcurrentViews: opening the same attachment twice at once (a double Enter) works both
// times, and the copies are whole.
func TestConcurrentViews(t *testing.T) {
	s := newTestStore(t)
	content := pattern(4*attChunk + 3)
	att := attOf("att-1", content)
	putAttachment(t, s, "case-1", att, content, attChunk)
	const n = 8
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		paths := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { paths[i], errs[i] = s.ViewAttachment("case-1", att, ".pdf") })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, view %d: %v", round, i, errs[i])
			}
			if b, err := os.ReadFile(paths[i]); err != nil || !bytes.Equal(b, content) {
				t.Fatalf("round %d, view %d: copy %s differs (%v)", round, i, paths[i], err)
			}
		}
	}
	if copies := viewCopies(t, s.Dir()); len(copies) != 1 {
		t.Errorf("copies = %v, want the one", copies)
	}
}

// TestViewCopyInUse: when the earlier copy cannot be replaced (Windows, a viewer holds it; here a
// directory is in the way) a fresh copy with the extension is handed over instead.
func TestViewCopyInUse(t *testing.T) {
	s := newTestStore(t)
	content := pattern(100)
	att := attOf("att-1", content)
	putAttachment(t, s, "case-1", att, content, 100)
	blocked, err := s.ViewAttachment("case-1", att, ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(blocked); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, blocked, map[string]string{"x": ""})
	p, err := s.ViewAttachment("case-1", att, ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(p) != ".pdf" || filepath.Dir(p) != filepath.Dir(blocked) {
		t.Errorf("copy at %s", p)
	}
	if b, err := os.ReadFile(p); err != nil || !bytes.Equal(b, content) {
		t.Fatalf("copy: %v", err)
	}
}

// TestStaleFileIsNotUsed: the file on disk is checked against the attachment as the case
// describes it now: another size or sha256 (the applicant replaced the file) reads as not
// downloaded, for every way out.
func TestStaleFileIsNotUsed(t *testing.T) {
	content := pattern(attChunk + 7)
	att := attOf("att-1", content)
	newer := bytes.ToUpper(content)
	for _, tc := range []struct {
		name string
		now  api.Attachment
		ok   bool
	}{
		{"same", att, true},
		{"same, sha in upper case", func() api.Attachment { a := att; a.SHA256 = strings.ToUpper(a.SHA256); return a }(), true},
		{"another sha256", attOf("att-1", newer), false},
		{"another size", attOf("att-1", content[:len(content)-1]), false},
		{"no sha256 declared", func() api.Attachment { a := att; a.SHA256 = ""; return a }(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			putAttachment(t, s, "case-1", att, content, attChunk)
			ways := map[string]func() error{
				"open": func() error {
					r, err := s.OpenAttachment("case-1", tc.now)
					if err == nil {
						r.Close()
					}
					return err
				},
				"export": func() error { return s.ExportAttachment("case-1", tc.now, filepath.Join(t.TempDir(), "a.pdf")) },
				"view": func() error {
					_, err := s.ViewAttachment("case-1", tc.now, ".pdf")
					return err
				},
			}
			for way, fn := range ways {
				err := fn()
				if tc.ok && err != nil {
					t.Errorf("%s: %v", way, err)
				}
				if !tc.ok && !errors.Is(err, ErrNotFound) {
					t.Errorf("%s: %v, want ErrNotFound", way, err)
				}
			}
			if copies := viewCopies(t, s.Dir()); !tc.ok && len(copies) > 0 {
				t.Errorf("copies of a stale file: %v", copies)
			}
			// The stale file stays for the download to replace; the current one is intact.
			if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
				t.Errorf("file on disk: %v", err)
			}
		})
	}
}

// TestFailedResetIsSticky: a Reset that cannot start the part file over leaves a writer that
// holds nothing and fails every later call cleanly, until a Reset succeeds.
func TestFailedResetIsSticky(t *testing.T) {
	content := pattern(2*attChunk + 9)
	att := attOf("att-1", content)
	for _, tc := range []struct {
		name string
		// prepare returns a writer and breaks what its Reset needs; fix repairs it.
		prepare func(t *testing.T, s *Store) (w *AttachmentWriter, fix func())
	}{
		{"complete file: the part file cannot be created", func(t *testing.T, s *Store) (*AttachmentWriter, func()) {
			putAttachment(t, s, "case-1", att, content, attChunk)
			w, err := s.OpenAttachmentWriter("case-1", att)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(w.part, 0o700); err != nil { // in the way of the part file
				t.Fatal(err)
			}
			return w, func() { _ = os.Remove(w.part) }
		}},
		{"resumed part file: it cannot be emptied", func(t *testing.T, s *Store) (*AttachmentWriter, func()) {
			w, err := s.OpenAttachmentWriter("case-1", att)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(content[:attChunk+5]); err != nil {
				t.Fatal(err)
			}
			w.f.Close() // every later use of the handle fails
			return w, func() {}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			w, fix := tc.prepare(t, s)
			defer w.Close()
			if err := w.Reset(); err == nil {
				t.Fatal("Reset succeeded")
			}
			noPanic(t, "use after a failed Reset", func() {
				if w.Held() != 0 {
					t.Errorf("holds %d after a failed Reset", w.Held())
				}
				if _, err := w.Write(content); err == nil { // several chunks: sealed at once
					t.Error("Write after a failed Reset succeeded")
				}
				if r, err := w.OpenHeld(); err == nil {
					r.Close()
					t.Error("OpenHeld after a failed Reset succeeded")
				}
				if err := w.Commit(); err == nil {
					t.Error("Commit after a failed Reset succeeded")
				}
			})
			fix()
			if err := w.Reset(); err != nil {
				t.Fatalf("Reset after the cause is gone: %v", err)
			}
			if _, err := w.Write(content); err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
				t.Fatalf("after recovering: %v", err)
			}
		})
	}
}

// TestDropDamagedKeepsNewFile: the export that found a file damaged removes that file only — not
// one a download committed in its place meanwhile, and not while a download has it open.
func TestDropDamagedKeepsNewFile(t *testing.T) {
	content := pattern(attChunk + 3)
	att := attOf("att-1", content)
	for _, tc := range []struct {
		name     string
		between  func(t *testing.T, s *Store) func() // runs after the damaged file was opened
		wantGone bool
	}{
		{"nothing happened", func(*testing.T, *Store) func() { return func() {} }, true},
		{"a download committed a new file", func(t *testing.T, s *Store) func() {
			putAttachment(t, s, "case-1", att, content, attChunk)
			return func() {}
		}, false},
		{"a download is under way", func(t *testing.T, s *Store) func() {
			w, err := s.OpenAttachmentWriter("case-1", att)
			if err != nil {
				t.Fatal(err)
			}
			return func() { w.Close() }
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			putAttachment(t, s, "case-1", att, content, attChunk)
			path := s.AttachmentPath("case-1", att.ID)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			raw[len(raw)-1] ^= 1
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			done := tc.between(t, s)
			s.dropDamaged("case-1", att.ID, f)
			done()
			_, err = os.Stat(path)
			if gone := errors.Is(err, fs.ErrNotExist); gone != tc.wantGone {
				t.Fatalf("file gone = %v (%v), want %v", gone, err, tc.wantGone)
			}
			if tc.name == "a download committed a new file" {
				if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
					t.Fatalf("the new file: %v", err)
				}
			}
		})
	}
}
