// Package docs holds the project's documentation; its test keeps the developer docs true to the
// tree: the README's repository table names every package, and the paths that the table and the
// design notes name exist.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoTable returns the rows of the README's "What is in the repository" table: the paths of
// the first column (each `a/` of it) and the row's whole text.
func repoTable(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "## What is in the repository")
	if i < 0 {
		t.Fatal("README has no repository table")
	}
	s = s[i:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	rows := map[string]string{}
	tick := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(s, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(cells[1], -1) {
			rows[strings.TrimSuffix(m[1], "/")] = line
		}
	}
	return rows
}

// goPackages lists the directories with non-test Go files, relative to the module root.
func goPackages(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && p != "..") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			rel, _ := filepath.Rel("..", filepath.Dir(p))
			seen[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	return out
}

// Every package is in the table: on a row of its own, or named (by the rest of its path) on the
// row of its nearest ancestor that has one.
func TestReadmeTableNamesEveryPackage(t *testing.T) {
	rows := repoTable(t)
	for _, p := range goPackages(t) {
		if _, ok := rows[p]; ok {
			continue
		}
		found := false
		for a := filepath.Dir(p); a != "." && !found; a = filepath.Dir(a) {
			row, ok := rows[a]
			if !ok {
				continue
			}
			first := strings.Split(strings.TrimPrefix(p, a+"/"), "/")[0]
			found = regexp.MustCompile(`\b` + regexp.QuoteMeta(first) + `\b`).MatchString(row)
			break
		}
		if !found {
			t.Errorf("README's repository table does not name package %s", p)
		}
	}
}

// The paths the table and the design notes name exist.
func TestDocsNameExistingPaths(t *testing.T) {
	for p := range repoTable(t) {
		if _, err := os.Stat(filepath.Join("..", p)); err != nil {
			t.Errorf("README's repository table names %s: %v", p, err)
		}
	}
	b, err := os.ReadFile("design-notes.md")
	if err != nil {
		t.Fatal(err)
	}
	// Backticked repository paths: a known top-level folder, then more path.
	path := regexp.MustCompile("`((?:api|casework|catalogue|client|cmd|delivery|fitconnect|internal|letter|query|server|signin|store|syncer|tui)/[A-Za-z0-9_./-]*)`")
	for _, m := range path.FindAllStringSubmatchIndex(string(b), -1) {
		p := string(b[m[2]:m[3]])
		if strings.HasSuffix(strings.TrimRight(string(b[:m[0]]), " \n"), "'s") {
			continue // another project's package (lazygit's `pkg/commands`)
		}
		if _, err := os.Stat(filepath.Join("..", p)); err != nil {
			t.Errorf("design-notes.md names %s: %v", p, err)
		}
	}
}
