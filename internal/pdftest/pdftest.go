// Package pdftest reads the text of a PDF back with pdftotext (Debian's poppler-utils) for tests.
// Without pdftotext a test is skipped locally and fails in CI (environment variable CI set),
// where .ci/run installs it.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Text returns the text of the PDF in content-stream order (pdftotext -raw), UTF-8.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing; .ci/run installs poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errb.String())
	}
	return strings.ReplaceAll(out.String(), "\f", "\n")
}

// Words splits text into its words, dropping lines that start with any of the given prefixes
// (e.g. page footers), so texts wrapped differently compare equal.
func Words(text string, dropLinePrefixes ...string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		drop := false
		for _, p := range dropLinePrefixes {
			if strings.HasPrefix(strings.TrimSpace(line), p) {
				drop = true
			}
		}
		if !drop {
			out = append(out, strings.Fields(line)...)
		}
	}
	return out
}
