package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// ViewDir is the name of the directory inside Options.Dir that holds decrypted copies of
// attachments handed to the system viewer (see ViewAttachment). Open and Purge empty it.
const ViewDir = "view"

// Errors of the attachment files; check them with errors.Is.
var (
	// ErrAttachmentDamaged: a sealed attachment file fails authentication, is truncated or
	// extended, or belongs to another attachment. Its bytes are not used; download it again.
	ErrAttachmentDamaged = errors.New("store: the attachment file is damaged")
	// ErrAttachmentBusy: another writer of this process has the attachment open.
	ErrAttachmentBusy = errors.New("store: the attachment is being downloaded already")
)

// safeName maps an id to one safe path component: ids of [A-Za-z0-9._-] (at most 100 bytes, not
// "." or "..") are kept, anything else becomes "~" + hex(sha256(id))[:40], which no kept id can
// equal because "~" is not in the kept set.
func safeName(id string) string {
	ok := id != "" && id != "." && id != ".." && len(id) <= 100
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if ok {
		return id
	}
	h := sha256.Sum256([]byte(id))
	return "~" + hex.EncodeToString(h[:20])
}

func (s *Store) attachmentCaseDir(caseID string) string {
	return filepath.Join(s.dir, AttachmentsDir, safeName(caseID))
}

func (s *Store) attachmentFile(caseID, attachmentID string) string {
	return filepath.Join(s.attachmentCaseDir(caseID), safeName(attachmentID))
}

func (s *Store) viewRoot() string { return filepath.Join(s.dir, ViewDir) }

// AttachmentPath returns where an attachment's sealed file lives: Dir/attachments/<case>/<attachment>,
// with both ids made safe (no path traversal). The file holds ciphertext (see attachfile.go); read
// it with OpenAttachment or ExportAttachment. The case directory is created (0700) if missing.
func (s *Store) AttachmentPath(caseID, attachmentID string) string {
	_ = os.MkdirAll(s.attachmentCaseDir(caseID), 0o700)
	return s.attachmentFile(caseID, attachmentID)
}

// alive reports ErrClosed once the store is closed.
func (s *Store) alive() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// AttachmentComplete reports whether the sealed file of att is complete: written by this cache's
// key for this case and attachment, for att's size and sha256. It reads the file's header only; a
// damaged chunk shows when the file is read (OpenAttachment, ExportAttachment).
func (s *Store) AttachmentComplete(caseID string, att api.Attachment) bool {
	if !validCaseID(caseID) || !validCaseID(att.ID) || att.Size < 0 || s.alive() != nil {
		return false
	}
	f, err := os.Open(s.attachmentFile(caseID, att.ID))
	if err != nil {
		return false
	}
	defer f.Close()
	af, err := s.readAttHeader(f, caseID, att.ID)
	if err != nil || af.size != att.Size || af.sha != shaTag(att.SHA256) {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode().IsRegular() && st.Size() == attFileSize(att.Size)
}

// OpenAttachment returns the plaintext of a complete attachment, decrypted and verified chunk by
// chunk as it is read: a flipped bit, a truncated or extended file, chunks in another order or a
// file of another attachment make Read fail with ErrAttachmentDamaged (bytes already returned
// came from chunks that did verify). ErrNotFound when there is no sealed file (files of older amt
// versions and of another cache key count as absent).
func (s *Store) OpenAttachment(caseID, attachmentID string) (io.ReadCloser, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	if !validCaseID(caseID) || !validCaseID(attachmentID) {
		return nil, fmt.Errorf("%w: attachment needs case and attachment ids", ErrInvalid)
	}
	f, err := os.Open(s.attachmentFile(caseID, attachmentID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("attachment %s: %w", attachmentID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	af, err := s.readAttHeader(f, caseID, attachmentID)
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil && st.Size() != attFileSize(af.size) {
			err = fmt.Errorf("%w: attachment %s has %d bytes, its header says %d (truncated or extended)",
				ErrAttachmentDamaged, attachmentID, st.Size(), attFileSize(af.size))
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, errAttForeign) {
			return nil, fmt.Errorf("attachment %s: %w", attachmentID, ErrNotFound)
		}
		return nil, err
	}
	return newAttReader(f, f, af, uint64(af.size/attChunk)+1, true, nil), nil
}

// ExportAttachment decrypts a complete attachment into a new file dst (0600). It never replaces
// a file: an existing dst fails with an error matching fs.ErrExist. On any error dst is removed; a
// sealed file found damaged is removed too, so the next download fetches it again.
func (s *Store) ExportAttachment(caseID, attachmentID, dst string) error {
	r, err := s.OpenAttachment(caseID, attachmentID)
	if errors.Is(err, ErrAttachmentDamaged) {
		os.Remove(s.attachmentFile(caseID, attachmentID))
	}
	if err != nil {
		return err
	}
	defer r.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		if errors.Is(err, ErrAttachmentDamaged) {
			os.Remove(s.attachmentFile(caseID, attachmentID))
		}
		return err
	}
	return nil
}

// ViewAttachment decrypts a complete attachment for the system viewer into
// Dir/view/<case>/<attachment><ext> (0600 in 0700 directories; both ids made safe) and returns that
// path. ext is "" or a dot and up to 10 lower-case letters or digits; the caller picks it from the
// declared content type. An earlier copy is replaced. Open and Purge empty Dir/view.
func (s *Store) ViewAttachment(caseID, attachmentID, ext string) (string, error) {
	if err := s.alive(); err != nil {
		return "", err
	}
	if !validExt(ext) {
		return "", fmt.Errorf("%w: viewer extension %q", ErrInvalid, ext)
	}
	if err := ensureDir(s.viewRoot()); err != nil {
		return "", err
	}
	dir := filepath.Join(s.viewRoot(), safeName(caseID))
	if err := ensureDir(dir); err != nil {
		return "", err
	}
	target := filepath.Join(dir, safeName(attachmentID)+ext)
	tmp := target + tmpSuffix
	_ = os.Remove(tmp)
	if err := s.ExportAttachment(caseID, attachmentID, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("store: %w", err)
	}
	return target, nil
}

func validExt(ext string) bool {
	if ext == "" {
		return true
	}
	if len(ext) < 2 || len(ext) > 11 || ext[0] != '.' {
		return false
	}
	for _, c := range ext[1:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// clearViewFiles removes every decrypted viewer copy.
func (s *Store) clearViewFiles() {
	_ = os.RemoveAll(s.viewRoot())
}

// sweepAttachments runs when the store opens (holding the cache's lock): it removes the viewer
// copies, and every file under Dir/attachments that is not sealed with this cache's key —
// plaintext files, partial downloads and viewer links of older amt versions, and files of a cache
// that was moved aside (their key is gone). Such attachments are simply downloaded again.
func (s *Store) sweepAttachments() {
	s.clearViewFiles()
	root := filepath.Join(s.dir, AttachmentsDir)
	cases, err := os.ReadDir(root)
	if err != nil {
		return
	}
	kid := s.attKeyID()
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		dir := filepath.Join(root, c.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range files {
			if !e.Type().IsRegular() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if strings.HasSuffix(e.Name(), tmpSuffix) || !sealedWith(p, kid) {
				_ = os.Remove(p)
			}
		}
	}
}

// AttachmentMeta is what the store remembers about a downloaded (or partly downloaded) attachment.
// The bytes themselves are sealed on disk (OpenAttachmentWriter, OpenAttachment).
type AttachmentMeta struct {
	CaseID     string         `json:"caseId"`
	Attachment api.Attachment `json:"attachment"`
	Bytes      int64          `json:"bytes"`    // plaintext bytes held so far (sealed on disk)
	Complete   bool           `json:"complete"` // fully downloaded, sha256 verified and sealed
	UpdatedAt  time.Time      `json:"updatedAt"`
}

func attKey(caseID, aid string) []byte {
	k := make([]byte, 0, len(caseID)+1+len(aid))
	k = append(k, caseID...)
	k = append(k, 0)
	return append(k, aid...)
}

// PutAttachmentMeta records the state of an attachment download.
func (s *Store) PutAttachmentMeta(m AttachmentMeta) error {
	if !validCaseID(m.CaseID) || !validCaseID(m.Attachment.ID) {
		return fmt.Errorf("%w: attachment needs case and attachment ids", ErrInvalid)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		return s.put(tx, bAttachments, attKey(m.CaseID, m.Attachment.ID), raw)
	})
}

// AttachmentMeta returns the recorded state of an attachment download, or ErrNotFound.
func (s *Store) AttachmentMeta(caseID, attachmentID string) (AttachmentMeta, error) {
	var m AttachmentMeta
	err := s.view(func(tx *bolt.Tx) error {
		v, err := s.get(tx, bAttachments, attKey(caseID, attachmentID))
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("attachment %s/%s: %w", caseID, attachmentID, ErrNotFound)
		}
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("%w: bucket attachments: %v", ErrCorrupt, err)
		}
		return nil
	})
	return m, err
}

// deleteAttachmentMeta removes every attachment record of a case (in the caller's transaction).
func deleteAttachmentMeta(tx *bolt.Tx, caseID string) error {
	b := tx.Bucket(bAttachments)
	if b == nil {
		return nil
	}
	prefix := attKey(caseID, "")
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Seek(prefix) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
