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
// attachments handed to the system viewer (see ViewAttachment). Open, Close and Purge empty it.
const ViewDir = "view"

// amt deletes files only in the directories it made: Dir/attachments and Dir/view carry a marker
// file written when amt creates them, and neither is followed when it is a link (see claimRoot).
const (
	attachmentsMarker = ".amt-attachments"
	viewMarker        = ".amt-view"
	markerText        = "Von amt angelegt: amt entfernt hier seine eigenen Dateien.\nCreated by amt: amt removes its own files here.\n"
	// dirsSettledKey (kv bucket) is set at the first open by an amt that writes the markers. A cache
	// without it is one of an older amt, whose unmarked directories are its own.
	dirsSettledKey = "store.dirs-v1"
)

// Errors of the attachment files; check them with errors.Is.
var (
	// ErrAttachmentDamaged: a sealed attachment file fails authentication, is truncated or
	// extended, or belongs to another attachment. Its bytes are not used; download it again.
	ErrAttachmentDamaged = errors.New("store: the attachment file is damaged")
	// ErrAttachmentBusy: another writer of this process has the attachment open.
	ErrAttachmentBusy = errors.New("store: the attachment is being downloaded already")
	// ErrViewFolder: Dir/view is a link or a folder amt did not make, so amt writes no decrypted
	// copy there (it also wraps ErrInvalid).
	ErrViewFolder = errors.New("store: the folder for viewer copies is not amt's")
)

// safeName maps an id to one safe path component that means the same on every file system: ids
// that keptName accepts stay as they are, anything else becomes "~" + hex(sha256(id))[:40], which
// no kept id can equal because "~" is not in the kept set.
func safeName(id string) string {
	if keptName(id) {
		return id
	}
	h := sha256.Sum256([]byte(id))
	return "~" + hex.EncodeToString(h[:20])
}

// keptName reports ids used as file names unchanged: 1-100 bytes of [a-z0-9._-], not ending in
// "." (so not "." or ".."; Windows drops a trailing dot) and no Windows device name. Upper case is
// hashed: on case-insensitive file systems (macOS, Windows) "A1" and "a1" would share one file.
func keptName(id string) bool {
	if id == "" || len(id) > 100 || id[len(id)-1] == '.' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return !windowsDevice(id)
}

// windowsDevice reports (lower-case) names that Windows opens as a device whatever their
// extension: con, prn, aux, nul, com0-com9, lpt0-lpt9.
func windowsDevice(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	switch base {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(base) == 4 && (base[:3] == "com" || base[:3] == "lpt") && base[3] >= '0' && base[3] <= '9'
}

// hashedName reports names safeName gives ids it does not keep.
func hashedName(name string) bool {
	if len(name) != 41 || name[0] != '~' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// currentName reports whether safeName gives some id the name. Names of older amt versions that
// it no longer gives (upper case, device names) belong to no attachment any more.
func currentName(name string) bool { return keptName(name) || hashedName(name) }

// amtDirName reports names any amt version gives case directories: besides the current ones, ids
// of [A-Za-z0-9._-] (1-100 bytes, not "." or "..") were kept as they are before.
func amtDirName(name string) bool {
	if hashedName(name) {
		return true
	}
	if name == "" || name == "." || name == ".." || len(name) > 100 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// viewFileName reports names of viewer copies: <attachment><ext>, or the temporary
// <attachment>~<random><ext> of CreateTemp (older versions: <attachment><ext>~tmp).
func viewFileName(name string) bool {
	if name == "" || len(name) > 200 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '~') {
			return false
		}
	}
	return true
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
// amt itself does not need it; tests and support use it to look at the files on disk.
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

// claimRoot makes sure root (Dir/attachments or Dir/view) is usable and reports whether it is amt's
// to delete in: a real directory, never a link, that carries marker. A missing root is created
// (when create is set) with the marker. An existing directory without it is adopted (the marker
// written) only when it is empty or adopt is set (a cache of an older amt, which made its
// directories without markers); otherwise it is someone else's folder, used as it is but never
// emptied, and so is a link. A root that is a file is ErrInvalid.
func claimRoot(root, marker string, adopt, create bool) (bool, error) {
	fi, err := os.Lstat(root)
	if errors.Is(err, fs.ErrNotExist) && create {
		err = os.Mkdir(root, 0o700)
		if err == nil {
			return true, writeMarker(root, marker)
		}
		if !errors.Is(err, fs.ErrExist) {
			return false, fmt.Errorf("store: create %s: %w", root, err)
		}
		fi, err = os.Lstat(root)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: %w", err)
	case fi.Mode().IsRegular():
		return false, fmt.Errorf("%w: %s is not a directory", ErrInvalid, root)
	case !fi.IsDir(): // a link (or a Windows junction): never followed to delete
		return false, nil
	}
	if !hasMarker(root, marker) {
		if !adopt && !emptyDir(root) {
			return hasMarker(root, marker), nil // another call may have just claimed it
		}
		if err := writeMarker(root, marker); err != nil {
			return false, err
		}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(root, 0o700); err != nil {
			return false, fmt.Errorf("store: chmod %s: %w", root, err)
		}
	}
	return true, nil
}

// ownedRoot reports whether amt may delete in root: a directory (not a link) with marker.
func ownedRoot(root, marker string) bool {
	fi, err := os.Lstat(root)
	return err == nil && fi.IsDir() && hasMarker(root, marker)
}

func hasMarker(root, marker string) bool {
	fi, err := os.Lstat(filepath.Join(root, marker))
	return err == nil && fi.Mode().IsRegular()
}

func writeMarker(root, marker string) error {
	if err := os.WriteFile(filepath.Join(root, marker), []byte(markerText), 0o600); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func emptyDir(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	return len(names) == 0 && errors.Is(err, io.EOF)
}

// privateDir creates dir (0700), or checks that the existing one is a directory and not a link,
// tightening it when it is looser.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("store: create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir) // a link is not a directory here
	return tightenDir(dir, fi, err)
}

// removeFiles removes the regular files in dir whose names match accepts, then dir itself when
// that left it empty. Links and directories inside are left alone, and so is dir when it is a link.
func removeFiles(dir string, match func(name string) bool) {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && match(e.Name()) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	_ = os.Remove(dir) // fails unless empty
}

// openDirs runs when the store opens, holding the cache's lock: it settles which of Dir/attachments
// and Dir/view are amt's (see claimRoot; the directories of a cache that existed before — amt.db,
// or one moved aside by MoveAside — and was never opened by an amt that writes markers are
// adopted), then removes what amt no longer needs in them (sweepAttachments, clearViewFiles).
func (s *Store) openDirs(existed bool) error {
	settled := true
	if _, err := s.Meta(dirsSettledKey); errors.Is(err, ErrNotFound) {
		settled = false
	} else if err != nil {
		return err
	}
	legacy := existed && !settled
	if _, err := claimRoot(s.AttachmentsRoot(), attachmentsMarker, legacy, true); err != nil {
		return err
	}
	_, _ = claimRoot(s.viewRoot(), viewMarker, legacy, false) // a file named view: ViewAttachment says so
	if !settled {
		if err := s.PutMeta(dirsSettledKey, []byte("1")); err != nil {
			return err
		}
	}
	s.sweepAttachments()
	s.clearViewFiles()
	return nil
}

// cacheExisted reports whether dir held a cache before this open: amt.db, or a file MoveAside
// moved out of the way (its attachment files are still there).
func cacheExisted(dir string) bool {
	if fi, err := os.Lstat(filepath.Join(dir, DBFile)); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
		return true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), DBFile+".broken-") {
			return true
		}
	}
	return false
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

// openSealed opens the sealed file of att and checks its header. ErrNotFound when there is none,
// or only one of older amt versions or another cache key, or the file holds another version of
// the attachment (size or sha256 differ from att's: fetch it again). On ErrAttachmentDamaged the
// file is returned open, for the caller to drop (dropDamaged) and close.
func (s *Store) openSealed(caseID string, att api.Attachment) (*os.File, *attFile, error) {
	if err := s.alive(); err != nil {
		return nil, nil, err
	}
	if !validCaseID(caseID) || !validCaseID(att.ID) || att.Size < 0 {
		return nil, nil, fmt.Errorf("%w: attachment needs case and attachment ids and a size", ErrInvalid)
	}
	f, err := os.Open(s.attachmentFile(caseID, att.ID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("attachment %s: %w", att.ID, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	af, err := s.readAttHeader(f, caseID, att.ID)
	switch {
	case errors.Is(err, errAttForeign):
		err = fmt.Errorf("attachment %s: %w", att.ID, ErrNotFound)
	case err != nil:
	case af.size != att.Size || af.sha != shaTag(att.SHA256):
		err = fmt.Errorf("attachment %s: %w (the file holds another version of it)", att.ID, ErrNotFound)
	default:
		var st os.FileInfo
		if st, err = f.Stat(); err == nil && st.Size() != attFileSize(af.size) {
			err = fmt.Errorf("%w: attachment %s has %d bytes, its header says %d (truncated or extended)",
				ErrAttachmentDamaged, att.ID, st.Size(), attFileSize(af.size))
		}
	}
	if errors.Is(err, ErrAttachmentDamaged) {
		return f, nil, err
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, af, nil
}

// OpenAttachment returns the plaintext of att, complete, decrypted and verified chunk by chunk as
// it is read: a flipped bit, a truncated or extended file, chunks in another order or a file of
// another attachment make Read fail with ErrAttachmentDamaged (bytes already returned came from
// chunks that did verify). ErrNotFound when the file on disk is not att as it is now (see
// openSealed): not there, of older amt versions or another cache key, or of another size or
// sha256.
func (s *Store) OpenAttachment(caseID string, att api.Attachment) (io.ReadCloser, error) {
	f, af, err := s.openSealed(caseID, att)
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, err
	}
	return newAttReader(f, f, af, uint64(af.size/attChunk)+1, true, nil), nil
}

// dropDamaged removes the sealed file of a damaged attachment that f was opened from, so that the
// next download fetches it again. It leaves it to a download that has the attachment open (its
// Commit replaces the file) and never removes another file than f: one a download committed
// since f was opened stays.
func (s *Store) dropDamaged(caseID, attID string, f *os.File) {
	path := s.attachmentFile(caseID, attID)
	if _, busy := attWriters.Load(path + partSuffix); busy {
		return
	}
	held, err := f.Stat()
	if err != nil {
		return
	}
	if now, err := os.Lstat(path); err == nil && os.SameFile(held, now) {
		_ = os.Remove(path)
	}
}

// export decrypts att into the file create makes and closes it. On any error that file is
// removed, and a sealed file found damaged too (dropDamaged).
func (s *Store) export(caseID string, att api.Attachment, create func() (*os.File, error)) error {
	f, af, err := s.openSealed(caseID, att)
	if err != nil {
		if f != nil {
			s.dropDamaged(caseID, att.ID, f)
			f.Close()
		}
		return err
	}
	defer f.Close()
	out, err := create()
	if err != nil {
		return err
	}
	_, err = io.Copy(out, newAttReader(f, nil, af, uint64(af.size/attChunk)+1, true, nil))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		if errors.Is(err, ErrAttachmentDamaged) {
			s.dropDamaged(caseID, att.ID, f)
		}
		return err
	}
	return nil
}

// ExportAttachment decrypts att (see OpenAttachment) into a new file dst (0600). It never replaces
// a file: an existing dst fails with an error matching fs.ErrExist. On any error dst is removed; a
// sealed file found damaged is removed too, so the next download fetches it again.
func (s *Store) ExportAttachment(caseID string, att api.Attachment, dst string) error {
	return s.export(caseID, att, func() (*os.File, error) {
		return os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	})
}

// ViewAttachment decrypts att (see OpenAttachment) for the system viewer into
// Dir/view/<case>/<attachment><ext> (0600 in 0700 directories; both ids made safe) and returns that
// path. ext is "" or a dot and up to 10 lower-case letters or digits; the caller picks it from the
// declared content type. An earlier copy is replaced; calls for the same attachment may overlap
// (each writes its own temporary file). Where the earlier copy cannot be replaced (Windows, while
// a viewer holds it open) the path of a fresh copy next to it is returned instead. Open, Close and
// Purge empty Dir/view. ErrInvalid when Dir/view is a link or a folder amt did not make.
func (s *Store) ViewAttachment(caseID string, att api.Attachment, ext string) (string, error) {
	if !validExt(ext) {
		return "", fmt.Errorf("%w: viewer extension %q", ErrInvalid, ext)
	}
	if !validCaseID(caseID) || !validCaseID(att.ID) {
		return "", fmt.Errorf("%w: attachment needs case and attachment ids", ErrInvalid)
	}
	// Close empties view/ only after the copies under way are written.
	s.viewMu.RLock()
	defer s.viewMu.RUnlock()
	if err := s.alive(); err != nil {
		return "", err
	}
	root := s.viewRoot()
	owned, err := claimRoot(root, viewMarker, false, true)
	if err != nil {
		return "", err
	}
	if !owned {
		return "", fmt.Errorf("%w: %w: %s is a link or a folder amt did not make; amt puts no decrypted copies there (move it away)", ErrInvalid, ErrViewFolder, root)
	}
	dir := filepath.Join(root, safeName(caseID))
	if err := privateDir(dir); err != nil {
		return "", err
	}
	var tmp string
	err = s.export(caseID, att, func() (*os.File, error) {
		f, err := os.CreateTemp(dir, safeName(att.ID)+"~*"+ext)
		if err == nil {
			tmp = f.Name()
		}
		return f, err
	})
	if err != nil {
		return "", err
	}
	target := filepath.Join(dir, safeName(att.ID)+ext)
	if err := os.Rename(tmp, target); err != nil {
		if _, serr := os.Lstat(tmp); serr != nil {
			return "", fmt.Errorf("store: %w", err)
		}
		return tmp, nil // the earlier copy is in use: hand over this one
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

// clearViewFiles removes every decrypted viewer copy (best effort: on Windows a copy a viewer holds
// open stays).
func (s *Store) clearViewFiles() { s.clearView("") }

// clearView removes the viewer copies of one case, or of all when caseID is "". It deletes only in
// a Dir/view that carries amt's marker, never through a link, and only entries named as amt names
// them.
func (s *Store) clearView(caseID string) {
	s.viewMu.Lock()
	defer s.viewMu.Unlock()
	root := s.viewRoot()
	if !ownedRoot(root, viewMarker) {
		return
	}
	var dirs []string
	if caseID != "" {
		dirs = append(dirs, safeName(caseID))
	} else {
		entries, err := os.ReadDir(root)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir() && amtDirName(e.Name()) {
				dirs = append(dirs, e.Name())
			}
		}
	}
	for _, d := range dirs {
		removeFiles(filepath.Join(root, d), viewFileName)
	}
}

// removeAttachmentFiles removes a case's sealed attachment files and its viewer copies (when the
// directories are amt's: see claimRoot).
func (s *Store) removeAttachmentFiles(caseID string) {
	if ownedRoot(s.AttachmentsRoot(), attachmentsMarker) {
		removeFiles(s.attachmentCaseDir(caseID), func(string) bool { return true })
	}
	s.clearView(caseID)
}

// sweepAttachments runs when the store opens (holding the cache's lock) and only in a
// Dir/attachments that is amt's (see claimRoot). It removes every file in a case directory that is
// not sealed with this cache's key — plaintext files, partial downloads and viewer copies of older
// amt versions, and files of a cache that was moved aside (their key is gone) — and the files under
// names safeName no longer gives (upper case, Windows device names: older versions kept them), with
// their directories. Such attachments are simply downloaded again.
func (s *Store) sweepAttachments() {
	root := s.AttachmentsRoot()
	if !ownedRoot(root, attachmentsMarker) {
		return
	}
	cases, err := os.ReadDir(root)
	if err != nil {
		return
	}
	kid := s.attKeyID()
	for _, c := range cases {
		if !c.IsDir() || !amtDirName(c.Name()) {
			continue
		}
		dir := filepath.Join(root, c.Name())
		orphan := !currentName(c.Name())
		removeFiles(dir, func(name string) bool {
			return orphan || strings.HasSuffix(name, tmpSuffix) ||
				!currentName(strings.TrimSuffix(name, partSuffix)) || !sealedWith(filepath.Join(dir, name), kid)
		})
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
