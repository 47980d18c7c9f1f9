package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryUsedKeyExists scans the TUI's sources for literal keys passed to T/Tf (i18n.T, c.T,
// ctx.Tf, …) and fails on any key missing from the catalogue: a missing key shows the key itself
// ("inbox.count1") to the clerk.
func TestEveryUsedKeyExists(t *testing.T) {
	re := regexp.MustCompile(`\bTf?\("([a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_\-]+)+)"`)
	root := ".."
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !Has(m[1]) {
				t.Errorf("%s: key %q is not in the catalogue", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 100 {
		t.Fatalf("found only %d key uses; is the pattern still right?", seen)
	}
}
