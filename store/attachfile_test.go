package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/demo"
)

// attOf describes content as the server would.
func attOf(id string, content []byte) api.Attachment {
	sum := sha256.Sum256(content)
	return api.Attachment{ID: id, Name: id + ".pdf", ContentType: "application/pdf", Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
}

// pattern is distinctive plaintext of n bytes: numbered lines of applicant-like text.
func pattern(n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%%PDF Zeile %06d Einkommensnachweis Erika Quellenberger, Heidestraße 17\n", i)
	}
	return b[:n]
}

// putAttachment writes content through a writer in pieces of step bytes and commits (sealing it
// anew when it is complete already).
func putAttachment(t *testing.T, s *Store, caseID string, att api.Attachment, content []byte, step int) {
	t.Helper()
	w, err := s.OpenAttachmentWriter(caseID, att)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Held() != 0 { // complete already: seal it again
		if err := w.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	for p := content; len(p) > 0; {
		k := min(step, len(p))
		if n, err := w.Write(p[:k]); err != nil || n != k {
			t.Fatalf("Write: %d, %v", n, err)
		}
		p = p[k:]
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func readAttachment(s *Store, caseID string, att api.Attachment) ([]byte, error) {
	r, err := s.OpenAttachment(caseID, att)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestAttachmentRoundTrip(t *testing.T) {
	s := newTestStore(t)
	for _, tc := range []struct {
		name string
		size int
		step int
	}{
		{"empty", 0, 1},
		{"one byte", 1, 1},
		{"chunk-1", attChunk - 1, 4096},
		{"chunk", attChunk, 1000},
		{"chunk+1", attChunk + 1, attChunk + 1},
		{"several chunks, odd writes", 3*attChunk + 12345, 7919},
		{"several whole chunks", 4 * attChunk, 3 * attChunk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := pattern(tc.size)
			att := attOf("att-"+strings.ReplaceAll(tc.name, " ", "_"), content)
			putAttachment(t, s, "case-1", att, content, tc.step)
			if !s.AttachmentComplete("case-1", att) {
				t.Fatal("not complete after Commit")
			}
			got, err := readAttachment(s, "case-1", att)
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("read back %d of %d bytes: %v", len(got), len(content), err)
			}
			p := s.AttachmentPath("case-1", att.ID)
			fi, err := os.Stat(p)
			if err != nil || fi.Size() != attFileSize(int64(tc.size)) || fi.Mode().Perm() != 0o600 {
				t.Fatalf("sealed file: %v (size %d, want %d), mode %v", err, fi.Size(), attFileSize(int64(tc.size)), fi.Mode().Perm())
			}
			if _, err := os.Stat(p + partSuffix); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("part file left: %v", err)
			}

			// Another size or sha256 is another attachment: not complete.
			other := att
			other.SHA256 = strings.Repeat("0", 64)
			if s.AttachmentComplete("case-1", other) {
				t.Error("complete for another sha256")
			}
			other = att
			other.Size++
			if s.AttachmentComplete("case-1", other) {
				t.Error("complete for another size")
			}

			// Export: 0600, never over an existing file.
			dst := filepath.Join(t.TempDir(), "out.pdf")
			if err := s.ExportAttachment("case-1", att, dst); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(dst); !bytes.Equal(b, content) {
				t.Error("exported content differs")
			}
			if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
				t.Errorf("export mode %v", fi.Mode().Perm())
			}
			if err := s.ExportAttachment("case-1", att, dst); !errors.Is(err, fs.ErrExist) {
				t.Errorf("export over an existing file: %v", err)
			}

			// A writer on the complete file holds it all and reads it back; Commit keeps it.
			w, err := s.OpenAttachmentWriter("case-1", att)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if w.Held() != att.Size {
				t.Fatalf("writer on a complete file holds %d", w.Held())
			}
			r, err := w.OpenHeld()
			if err != nil {
				t.Fatal(err)
			}
			held, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(held, content) {
				t.Fatalf("OpenHeld: %d bytes, %v", len(held), err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
				t.Fatalf("after a second Commit: %v", err)
			}
		})
	}
}

func TestAttachmentWriterMisuse(t *testing.T) {
	s := newTestStore(t)
	content := pattern(100)
	att := attOf("att-1", content)
	w, err := s.OpenAttachmentWriter("case-1", att)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenAttachmentWriter("case-1", att); !errors.Is(err, ErrAttachmentBusy) {
		t.Errorf("second writer: %v, want ErrAttachmentBusy", err)
	}
	if _, err := w.Write(pattern(101)); !errors.Is(err, ErrInvalid) {
		t.Errorf("more bytes than the size: %v", err)
	}
	if _, err := w.Write(content[:50]); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Commit with 50 of 100 bytes: %v", err)
	}
	if err := w.Reset(); err != nil || w.Held() != 0 {
		t.Fatalf("Reset: %v, held %d", err, w.Held())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err == nil {
		t.Error("Write after Close")
	}
	if _, err := os.Stat(s.AttachmentPath("case-1", "att-1") + partSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("part file without a chunk kept: %v", err)
	}
	w2, err := s.OpenAttachmentWriter("case-1", att)
	if err != nil {
		t.Fatalf("writer after Close: %v", err)
	}
	w2.Close()
	for _, bad := range []struct{ c, a string }{{"", "a"}, {"c", ""}, {"c\x00", "a"}} {
		if _, err := s.OpenAttachmentWriter(bad.c, api.Attachment{ID: bad.a}); !errors.Is(err, ErrInvalid) {
			t.Errorf("ids %q/%q: %v", bad.c, bad.a, err)
		}
	}
	if _, err := s.OpenAttachment("case-1", api.Attachment{ID: "nope"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing attachment: %v", err)
	}
	if _, err := s.ViewAttachment("case-1", att, "/../x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("hostile extension: %v", err)
	}
}

// TestAttachmentTamper changes sealed files in every way an attacker or a broken disk could and
// expects ErrAttachmentDamaged (or, for files of another attachment, no use of them) — never a
// panic and never the wrong bytes.
func TestAttachmentTamper(t *testing.T) {
	const size = 3*attChunk + 1000 // chunks 0..2 full, 3 final
	content := pattern(size)
	rec := func(i int64) int64 { return attHeader + i*attRecord } // offset of record i
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *Store, path string, raw []byte) []byte
	}{
		{"bit flip in the magic", flipAt(2)},
		{"bit flip in the file id", flipAt(attFileIDAt + 3)},
		{"bit flip in the header's record", flipAt(attFixed + nonceSize + 5)},
		{"bit flip in chunk 0's nonce", flipAt(rec(0) + 3)},
		{"bit flip in chunk 1's ciphertext", flipAt(rec(1) + nonceSize + 777)},
		{"bit flip in chunk 2's tag", flipAt(rec(3) - 1)},
		{"bit flip in the final chunk", flipAt(rec(3) + nonceSize + 10)},
		{"truncated mid-chunk", func(_ *testing.T, _ *Store, _ string, raw []byte) []byte { return raw[:rec(2)+500] }},
		{"truncated at a chunk boundary", func(_ *testing.T, _ *Store, _ string, raw []byte) []byte { return raw[:rec(3)] }},
		{"truncated to the header", func(_ *testing.T, _ *Store, _ string, raw []byte) []byte { return raw[:attHeader] }},
		{"extended", func(_ *testing.T, _ *Store, _ string, raw []byte) []byte {
			return append(raw, raw[rec(3):]...)
		}},
		{"chunks 0 and 1 swapped", func(_ *testing.T, _ *Store, _ string, raw []byte) []byte {
			out := bytes.Clone(raw)
			copy(out[rec(0):rec(1)], raw[rec(1):rec(2)])
			copy(out[rec(1):rec(2)], raw[rec(0):rec(1)])
			return out
		}},
		{"chunk 1 doubled over chunk 2", func(_ *testing.T, _ *Store, _ string, raw []byte) []byte {
			out := bytes.Clone(raw)
			copy(out[rec(2):rec(3)], raw[rec(1):rec(2)])
			return out
		}},
		{"file of another attachment of the same case", func(t *testing.T, s *Store, _ string, _ []byte) []byte {
			putAttachment(t, s, "case-1", attOf("att-2", content), content, attChunk)
			raw, err := os.ReadFile(s.AttachmentPath("case-1", "att-2"))
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}},
		{"file of the same attachment id in another case", func(t *testing.T, s *Store, _ string, _ []byte) []byte {
			putAttachment(t, s, "case-2", attOf("att-1", content), content, attChunk)
			raw, err := os.ReadFile(s.AttachmentPath("case-2", "att-1"))
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}},
		{"chunk from an earlier file of the same attachment", func(t *testing.T, s *Store, path string, raw []byte) []byte {
			// Same attachment, same bytes, sealed again: a new file id.
			putAttachment(t, s, "case-1", attOf("att-1", content), content, attChunk)
			fresh, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			copy(fresh[rec(1):rec(2)], raw[rec(1):rec(2)])
			return fresh
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			att := attOf("att-1", content)
			putAttachment(t, s, "case-1", att, content, 5000)
			path := s.AttachmentPath("case-1", "att-1")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			changed := tc.change(t, s, path, bytes.Clone(raw))
			if err := os.WriteFile(path, changed, 0o600); err != nil {
				t.Fatal(err)
			}
			var got []byte
			noPanic(t, "read", func() { got, err = readAttachment(s, "case-1", att) })
			switch {
			case errors.Is(err, ErrAttachmentDamaged):
			case errors.Is(err, ErrNotFound) && !bytes.HasPrefix(changed, []byte(attMagic)):
				// A broken magic reads as a file of an older version: absent.
			default:
				t.Fatalf("read: %d bytes, err %v; want ErrAttachmentDamaged", len(got), err)
			}
			if bytes.Equal(got, content) {
				t.Fatal("damaged file read back whole")
			}
			dst := filepath.Join(t.TempDir(), "out")
			if err := s.ExportAttachment("case-1", att, dst); err == nil {
				t.Fatal("export of a damaged file succeeded")
			}
			if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("partial export left behind: %v", err)
			}
			// The damaged file is gone: the attachment is downloaded again.
			if s.AttachmentComplete("case-1", att) {
				t.Error("damaged attachment still complete after a failed export")
			}
		})
	}
}

// TestAttachmentFinalFlag: the last chunk must carry the final flag and no other may, so chunks of
// a part file (all sealed as not final) never pass for a whole attachment.
func TestAttachmentFinalFlag(t *testing.T) {
	s := newTestStore(t)
	content := pattern(attChunk + 100)
	att := attOf("att-1", content)
	for _, tc := range []struct {
		name                  string
		firstFinal, lastFinal bool
		wantOK                bool
	}{
		{"as the writer seals", false, true, true},
		{"last chunk not final", false, false, false},
		{"first chunk final too", true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr, af := s.newAttHeader("case-1", att)
			raw := af.sealChunk(hdr, 0, tc.firstFinal, content[:attChunk])
			raw = af.sealChunk(raw, 1, tc.lastFinal, content[attChunk:])
			if err := os.WriteFile(s.AttachmentPath("case-1", "att-1"), raw, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readAttachment(s, "case-1", att)
			if ok := err == nil && bytes.Equal(got, content); ok != tc.wantOK {
				t.Fatalf("read: ok=%v (%v), want ok=%v", ok, err, tc.wantOK)
			}
			if !tc.wantOK && !errors.Is(err, ErrAttachmentDamaged) {
				t.Errorf("err = %v, want ErrAttachmentDamaged", err)
			}
		})
	}
}

func flipAt(off int64) func(*testing.T, *Store, string, []byte) []byte {
	return func(_ *testing.T, _ *Store, _ string, raw []byte) []byte {
		raw[off] ^= 0x04
		return raw
	}
}

// TestAttachmentResume: a cut download keeps its complete chunks (the tail in memory is lost), a
// torn or damaged chunk after a crash is dropped with everything after it, and a part file of
// other content is started over.
func TestAttachmentResume(t *testing.T) {
	const size = 5*attChunk + 999
	content := pattern(size)
	att := attOf("att-1", content)
	for _, tc := range []struct {
		name     string
		written  int                                                // bytes written before the cut
		damage   func(t *testing.T, part string, raw []byte) []byte // after the cut (nil: none)
		att      api.Attachment                                     // resumed for (zero: att)
		wantHeld int64
	}{
		{name: "nothing complete", written: attChunk - 1, wantHeld: 0},
		{name: "two chunks and some", written: 2*attChunk + 100, wantHeld: 2 * attChunk},
		{name: "torn tail after a crash", written: 3 * attChunk,
			damage: func(_ *testing.T, _ string, raw []byte) []byte {
				return append(raw, bytes.Repeat([]byte{0x17}, attRecord/2)...) // half a record
			}, wantHeld: 3 * attChunk},
		{name: "last chunk cut short", written: 3 * attChunk,
			damage: func(_ *testing.T, _ string, raw []byte) []byte { return raw[:len(raw)-10] }, wantHeld: 2 * attChunk},
		{name: "zeroed block in chunk 1 drops 1 and 2", written: 3 * attChunk,
			damage: func(_ *testing.T, _ string, raw []byte) []byte {
				clear(raw[attHeader+attRecord+4096 : attHeader+attRecord+8192])
				return raw
			}, wantHeld: attChunk},
		{name: "header damaged: start over", written: 3 * attChunk,
			damage: func(_ *testing.T, _ string, raw []byte) []byte { raw[attFixed+30] ^= 1; return raw }, wantHeld: 0},
		{name: "part of another version of the attachment: start over", written: 3 * attChunk,
			att: attOf("att-1", pattern(size+1)), wantHeld: 0},
		{name: "part of plaintext from an older amt: start over", written: 0,
			damage: func(_ *testing.T, _ string, _ []byte) []byte { return content[:2*attChunk] }, wantHeld: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(testOptions(dir))
			if err != nil {
				t.Fatal(err)
			}
			w, err := s.OpenAttachmentWriter("case-1", att)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(content[:tc.written]); err != nil {
				t.Fatal(err)
			}
			if w.Held() != int64(tc.written) {
				t.Fatalf("held %d, want %d", w.Held(), tc.written)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			part := s.AttachmentPath("case-1", "att-1") + partSuffix
			if tc.damage != nil {
				raw, _ := os.ReadFile(part)
				if err := os.WriteFile(part, tc.damage(t, part, raw), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()

			s = openTest(t, dir) // as after a restart
			want, wantContent := att, content
			if tc.att.ID != "" {
				want = tc.att
				wantContent = pattern(int(want.Size))
			}
			w, err = s.OpenAttachmentWriter("case-1", want)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if w.Held() != tc.wantHeld {
				t.Fatalf("held after reopening: %d, want %d", w.Held(), tc.wantHeld)
			}
			r, err := w.OpenHeld()
			if err != nil {
				t.Fatal(err)
			}
			held, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(held, wantContent[:tc.wantHeld]) {
				t.Fatalf("held bytes differ (%d bytes, %v)", len(held), err)
			}
			if fi, err := os.Stat(part); tc.wantHeld > 0 && (err != nil || fi.Size() != attHeader+tc.wantHeld/attChunk*attRecord) {
				t.Errorf("part file not cut back to its intact chunks: %v", err)
			}
			if _, err := w.Write(wantContent[tc.wantHeld:]); err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, err := readAttachment(s, "case-1", want); err != nil || !bytes.Equal(got, wantContent) {
				t.Fatalf("after resuming: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestAttachmentCommitCrashSafe: until the rename, the previous sealed file stays whole and in
// use; a commit that fails at the rename leaves a part file that resumes; a crash (no Close)
// loses nothing that was complete.
func TestAttachmentCommitCrashSafe(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	oldContent := pattern(2*attChunk + 5)
	oldAtt := attOf("att-1", oldContent)
	putAttachment(t, s, "case-1", oldAtt, oldContent, attChunk)

	// The server now has other bytes for the attachment; the download dies before Commit.
	newContent := bytes.ToUpper(pattern(3*attChunk + 7))
	newAtt := attOf("att-1", newContent)
	w, err := s.OpenAttachmentWriter("case-1", newAtt)
	if err != nil {
		t.Fatal(err)
	}
	if w.Held() != 0 {
		t.Fatalf("writer for new content holds %d", w.Held())
	}
	if _, err := w.Write(newContent); err != nil {
		t.Fatal(err)
	}
	crash(w)
	if got, err := readAttachment(s, "case-1", oldAtt); err != nil || !bytes.Equal(got, oldContent) {
		t.Fatalf("old attachment damaged by an uncommitted write: %v", err)
	}
	if !s.AttachmentComplete("case-1", oldAtt) || s.AttachmentComplete("case-1", newAtt) {
		t.Error("completeness wrong before the commit")
	}

	// The rename fails (a directory is in the way): the part file stays and resumes.
	path := s.AttachmentPath("case-1", "att-1")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err = s.OpenAttachmentWriter("case-1", newAtt)
	if err != nil {
		t.Fatal(err)
	}
	if w.Held() != 3*attChunk {
		t.Fatalf("held after the crash: %d, want %d", w.Held(), 3*attChunk)
	}
	if _, err := w.Write(newContent[3*attChunk:]); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err == nil {
		t.Fatal("Commit over a directory succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	w, err = s.OpenAttachmentWriter("case-1", newAtt)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Held() != 3*attChunk {
		t.Fatalf("held after a failed commit: %d, want %d (the sealed final chunk is not resumed)", w.Held(), 3*attChunk)
	}
	if _, err := w.Write(newContent[3*attChunk:]); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, err := readAttachment(s, "case-1", newAtt); err != nil || !bytes.Equal(got, newContent) {
		t.Fatalf("new attachment: %v", err)
	}
}

// crash drops a writer as a dying process would: no Close, no cleanup.
func crash(w *AttachmentWriter) {
	w.f.Close()
	w.f = nil
	w.done = true
	attWriters.Delete(w.part)
}

// TestAttachmentPlaintextNeverOnDisk writes the demo data's PDFs and PNGs through the writer and
// finds none of their bytes in any file of the cache; only the viewer copy holds plaintext, and
// only until the store is opened again or purged.
func TestAttachmentPlaintextNeverOnDisk(t *testing.T) {
	d := demo.Generate(demo.Options{Cases: 12, Now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Seed: 1})
	dir := t.TempDir()
	s := openTest(t, dir)
	type put struct {
		caseID  string
		att     api.Attachment
		content []byte
	}
	var puts []put
	kinds := map[string]bool{}
	for i := 0; i < d.N; i++ {
		sc := d.Case(i)
		for _, a := range sc.Case.Attachments {
			content := sc.Files[a.ID]
			if kinds[a.ContentType] && len(puts) > 6 {
				continue
			}
			kinds[a.ContentType] = true
			a.Size, a.SHA256 = attOf(a.ID, content).Size, attOf(a.ID, content).SHA256
			puts = append(puts, put{sc.Case.ID, a, content})
		}
	}
	if !kinds["application/pdf"] || !kinds["image/png"] {
		t.Fatalf("demo data lacks PDFs or PNGs: %v", kinds)
	}
	// And one of several chunks: a demo PDF followed by personal data.
	big := append(bytes.Clone(puts[0].content), pattern(3*attChunk)...)
	puts = append(puts, put{"case-big", attOf("att-big", big), big})
	for _, p := range puts {
		putAttachment(t, s, p.caseID, p.att, p.content, 1000)
	}
	// A cut download's part file, too.
	w, err := s.OpenAttachmentWriter("case-cut", attOf("att-cut", big))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(big[:2*attChunk+10]); err != nil {
		t.Fatal(err)
	}
	w.Close()

	needles := func() [][]byte {
		var out [][]byte
		for _, p := range puts {
			c := p.content
			out = append(out, c[:min(len(c), 32)], c[len(c)/2:len(c)/2+min(len(c)/2, 32)])
		}
		return append(out, []byte("%PDF-1."), []byte("\x89PNG\r\n"), []byte("Quellenberger"))
	}()
	scan := func(skipView bool) (hits []string) {
		err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && skipView && e.Name() == ViewDir {
				return filepath.SkipDir
			}
			if !e.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, n := range needles {
				if bytes.Contains(b, n) {
					hits = append(hits, fmt.Sprintf("%s holds %q", p, n[:min(len(n), 12)]))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	if hits := scan(false); len(hits) > 0 {
		t.Fatalf("plaintext on disk:\n%s", strings.Join(hits, "\n"))
	}

	// The viewer copy is plaintext by necessity, in the private view directory only.
	vp, err := s.ViewAttachment(puts[0].caseID, puts[0].att, ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := filepath.Rel(filepath.Join(dir, ViewDir), vp); err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("viewer copy outside the view directory: %s", vp)
	}
	if b, _ := os.ReadFile(vp); !bytes.Equal(b, puts[0].content) {
		t.Fatal("viewer copy differs")
	}
	for _, p := range []string{filepath.Join(dir, ViewDir), filepath.Dir(vp)} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: not 0700 (%v)", p, err)
		}
	}
	if hits := scan(true); len(hits) > 0 {
		t.Fatalf("plaintext outside the view directory:\n%s", strings.Join(hits, "\n"))
	}
	// Opening the store again removes the viewer copies.
	s.Close()
	s = openTest(t, dir)
	if hits := scan(false); len(hits) > 0 {
		t.Fatalf("plaintext after reopening:\n%s", strings.Join(hits, "\n"))
	}
	if got, err := readAttachment(s, "case-big", attOf("att-big", big)); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("sealed attachment lost at reopen: %v", err)
	}
	// And so does a purge (even one that removes no case).
	if _, err := s.ViewAttachment("case-big", attOf("att-big", big), ".pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Purge(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if copies := viewCopies(t, dir); len(copies) > 0 {
		t.Errorf("viewer copies after purge: %v", copies)
	}
}

// TestAttachmentsOfOlderVersionsRemovedAtOpen: plaintext files, partial downloads and viewer links
// that older amt versions left, and sealed files of another cache key, are removed when the store
// opens; sealed files of this cache stay.
func TestAttachmentsOfOlderVersionsRemovedAtOpen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	keep := pattern(attChunk + 3)
	keepAtt := attOf("att-keep", keep)
	putAttachment(t, s, "case-1", keepAtt, keep, attChunk)
	w, err := s.OpenAttachmentWriter("case-1", attOf("att-part", keep))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(keep[:attChunk+1]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s.Close()

	// A sealed file of another cache (another data key).
	otherDir := t.TempDir()
	o := openTest(t, otherDir)
	putAttachment(t, o, "case-1", attOf("att-foreign", keep), keep, attChunk)
	foreign, err := os.ReadFile(o.AttachmentPath("case-1", "att-foreign"))
	if err != nil {
		t.Fatal(err)
	}
	o.Close()

	caseDir := filepath.Join(dir, AttachmentsDir, "case-1")
	legacy := map[string][]byte{
		"att-old":          []byte("%PDF-1.4 Einkommensnachweis"),
		"att-old.part":     []byte("%PDF-1.4 Einkomm"),
		"att-old.pdf":      []byte("%PDF-1.4 Einkommensnachweis"),
		"att-foreign":      foreign,
		"att-keep.pdf~tmp": []byte("x"),
		"empty":            nil,
	}
	for name, b := range legacy {
		if err := os.WriteFile(filepath.Join(caseDir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, ViewDir, "case-1"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ViewDir, "case-1", "att-keep.pdf"), keep, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeMarker(filepath.Join(dir, ViewDir), viewMarker); err != nil { // as amt made it
		t.Fatal(err)
	}

	s = openTest(t, dir)
	entries, err := os.ReadDir(caseDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"att-keep", "att-part" + partSuffix}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("files after open: %v, want %v", names, want)
	}
	if copies := viewCopies(t, dir); len(copies) > 0 {
		t.Errorf("viewer copies after open: %v", copies)
	}
	if got, err := readAttachment(s, "case-1", keepAtt); err != nil || !bytes.Equal(got, keep) {
		t.Fatalf("own sealed file: %v", err)
	}
	// A plaintext file appearing later counts as absent and is downloaded again.
	plain := []byte("%PDF-1.4 Einkommensnachweis")
	plainAtt := attOf("att-late", plain)
	if err := os.WriteFile(filepath.Join(caseDir, "att-late"), plain, 0o600); err != nil {
		t.Fatal(err)
	}
	if s.AttachmentComplete("case-1", plainAtt) {
		t.Error("plaintext file counts as complete")
	}
	if _, err := s.OpenAttachment("case-1", plainAtt); !errors.Is(err, ErrNotFound) {
		t.Errorf("plaintext file opened: %v", err)
	}
	putAttachment(t, s, "case-1", plainAtt, plain, 10)
	if got, err := readAttachment(s, "case-1", plainAtt); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("downloaded again: %v", err)
	}
}

// TestAttachmentsAfterMoveAside: a cache moved aside takes its key with it; the new cache removes
// the old sealed files at open and downloads them again.
func TestAttachmentsAfterMoveAside(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	content := pattern(1000)
	att := attOf("att-1", content)
	putAttachment(t, s, "case-1", att, content, 100)
	s.Close()
	if _, err := MoveAside(dir, time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	if s.AttachmentComplete("case-1", att) {
		t.Error("attachment of the old key still complete")
	}
	if _, err := os.Stat(s.AttachmentPath("case-1", "att-1")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old sealed file kept: %v", err)
	}
	putAttachment(t, s, "case-1", att, content, 100)
	if got, err := readAttachment(s, "case-1", att); err != nil || !bytes.Equal(got, content) {
		t.Fatal(err)
	}
}

// TestAttachmentFilesGoWithTheirCase: a tombstone removes the case's sealed files and viewer copies.
func TestAttachmentFilesGoWithTheirCase(t *testing.T) {
	s := newTestStore(t)
	c := mkCase(1, "2026-12-01", 1)
	if err := s.ApplyChanges(upsert(c), ""); err != nil {
		t.Fatal(err)
	}
	content := pattern(100)
	putAttachment(t, s, c.ID, attOf("att-1", content), content, 100)
	vp, err := s.ViewAttachment(c.ID, attOf("att-1", content), ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges([]api.Change{{Seq: 2, Kind: api.ChangeDelete, CaseID: c.ID}}, ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.AttachmentPath(c.ID, "att-1"), vp} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s kept after the tombstone: %v", p, err)
		}
	}
}
