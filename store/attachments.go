package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
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

// AttachmentPath returns where an attachment's bytes live: Dir/attachments/<case>/<attachment>,
// with both ids made safe (no path traversal). The case directory is created (0700) if missing.
func (s *Store) AttachmentPath(caseID, attachmentID string) string {
	d := s.attachmentCaseDir(caseID)
	_ = os.MkdirAll(d, 0o700)
	return filepath.Join(d, safeName(attachmentID))
}

// AttachmentMeta is what the store remembers about a downloaded (or partly downloaded) attachment.
type AttachmentMeta struct {
	CaseID     string         `json:"caseId"`
	Attachment api.Attachment `json:"attachment"`
	Bytes      int64          `json:"bytes"`    // bytes on disk so far
	Complete   bool           `json:"complete"` // fully downloaded and sha256 verified
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
