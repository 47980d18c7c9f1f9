package store

import (
	"bytes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/amt-mv/amt/api"
	"golang.org/x/crypto/chacha20poly1305"
)

// Sealed attachment files. An attachment's plaintext is cut into chunks of 64 KiB; each is sealed
// on its own with XChaCha20-Poly1305 under the cache's data key and a random nonce:
//
//	header  "AMT-ATT" | version 0x01 | key id (16) | file id (16)
//	        | nonce (24) | sealed(size uint64 | sha256 of the declared sha256 text) (40+16)
//	chunk i nonce (24) | sealed(plaintext) (64 KiB + 16; the final chunk 0..64 KiB-1 + 16)
//
// Every chunk but the last holds exactly 64 KiB; the last ("final") one holds the rest, possibly
// nothing. The associated data of the header's record is
// "amt attachment header v1" 0x00 | the first 40 header bytes | len+case id | len+attachment id,
// and that of chunk i the same with "amt attachment chunk v1" and then i (uint64) and a final
// flag (1 byte), all integers big-endian, lengths uint32. So a flipped bit, a chunk moved to
// another place or into another file (random file id), a file moved to another attachment, a
// truncated file (no chunk carries the final flag where the reader expects it) or one extended
// all fail to open. The key id is a value derived from the data key: files of another key (a cache
// moved aside, and plaintext files of older amt versions, which lack the magic) are removed when
// the store opens. A download writes <file>~part and renames it into place once complete.
// The file names come from safeName; a file that holds another size or sha256 than the attachment
// as the server describes it now counts as not downloaded.
const (
	attMagic     = "AMT-ATT"
	attVersion   = 1
	attChunk     = 64 << 10
	attTag       = chacha20poly1305.Overhead
	attRecord    = nonceSize + attChunk + attTag // a full chunk on disk
	attKeyIDAt   = 8                             // after the magic and the version byte
	attFileIDAt  = 24                            // after the key id
	attFixed     = 40                            // magic, version, key id, file id
	attInfo      = 8 + sha256.Size               // size, sha tag
	attHeader    = attFixed + nonceSize + attInfo + attTag
	partSuffix   = "~part" // "~" is in no kept safeName, so no attachment's own file ends so
	tmpSuffix    = "~tmp"
	adHeaderText = "amt attachment header v1"
	adChunkText  = "amt attachment chunk v1"
)

// attKeyIDNonce is the fixed nonce of the key id: the keystream of the data key at this nonce.
// No record is ever sealed with it (record nonces are random; a collision has odds of 2^-192).
var attKeyIDNonce = []byte("amt attachment key id v1") // 24 bytes

// errAttForeign: the file is not sealed with this cache's key (older plaintext, another key, an
// unknown format version). Callers treat it as absent.
var errAttForeign = errors.New("store: not a sealed attachment of this cache")

// attKeyID identifies the data key in attachment headers without revealing anything about it.
func (s *Store) attKeyID() (id [16]byte) {
	var zero [16]byte
	copy(id[:], s.aead.Seal(nil, attKeyIDNonce, zero[:], nil))
	return id
}

// attFileSize is the size on disk of the sealed file of size plaintext bytes.
func attFileSize(size int64) int64 {
	return attHeader + size/attChunk*attRecord + nonceSize + size%attChunk + attTag
}

// shaTag is what the header keeps of an attachment's declared sha256: a hash of its text, so any
// declared value (even a malformed one) can be compared.
func shaTag(declared string) [sha256.Size]byte {
	return sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(declared))))
}

// attFile is the parsed header of a sealed file.
type attFile struct {
	aead    cipher.AEAD
	size    int64
	sha     [sha256.Size]byte
	chunkAD []byte // associated data of the chunks, without index and flag
}

func attAD(kind string, fixed []byte, caseID, attID string) []byte {
	ad := make([]byte, 0, len(kind)+1+len(fixed)+8+len(caseID)+len(attID)+9)
	ad = append(ad, kind...)
	ad = append(ad, 0)
	ad = append(ad, fixed...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(caseID)))
	ad = append(ad, caseID...)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(attID)))
	return append(ad, attID...)
}

// newAttHeader returns the header of a new sealed file for att, with a fresh file id.
func (s *Store) newAttHeader(caseID string, att api.Attachment) ([]byte, *attFile) {
	hdr := make([]byte, attFixed, attHeader)
	copy(hdr, attMagic)
	hdr[attKeyIDAt-1] = attVersion
	kid := s.attKeyID()
	copy(hdr[attKeyIDAt:], kid[:])
	copy(hdr[attFileIDAt:], randomBytes(16))
	af := &attFile{aead: s.aead, size: att.Size, sha: shaTag(att.SHA256)}
	info := binary.BigEndian.AppendUint64(make([]byte, 0, attInfo), uint64(att.Size))
	info = append(info, af.sha[:]...)
	nonce := randomBytes(nonceSize)
	hdr = append(hdr, nonce...)
	hdr = s.aead.Seal(hdr, nonce, info, attAD(adHeaderText, hdr[:attFixed], caseID, att.ID))
	af.chunkAD = attAD(adChunkText, hdr[:attFixed], caseID, att.ID)
	return hdr, af
}

// parseAttHeader checks hdr (attHeader bytes, fewer when the file is shorter) for this cache, case
// and attachment: errAttForeign for files of older versions or another key, ErrAttachmentDamaged
// when the header's record does not open (damage, or a file of another attachment).
func (s *Store) parseAttHeader(hdr []byte, caseID, attID string) (*attFile, error) {
	if !sealedHeader(hdr, s.attKeyID()) {
		return nil, errAttForeign
	}
	if len(hdr) < attHeader {
		return nil, fmt.Errorf("%w: attachment %s: header truncated", ErrAttachmentDamaged, attID)
	}
	fixed := hdr[:attFixed]
	info, err := s.aead.Open(nil, hdr[attFixed:attFixed+nonceSize], hdr[attFixed+nonceSize:attHeader],
		attAD(adHeaderText, fixed, caseID, attID))
	if err != nil || len(info) != attInfo {
		return nil, fmt.Errorf("%w: attachment %s: header fails authentication (damaged, or the file of another attachment)", ErrAttachmentDamaged, attID)
	}
	size := binary.BigEndian.Uint64(info)
	if size > 1<<62 {
		return nil, fmt.Errorf("%w: attachment %s: implausible size", ErrAttachmentDamaged, attID)
	}
	af := &attFile{aead: s.aead, size: int64(size), chunkAD: attAD(adChunkText, fixed, caseID, attID)}
	copy(af.sha[:], info[8:])
	return af, nil
}

// readAttHeader reads and parses the header of an open sealed file.
func (s *Store) readAttHeader(f io.ReaderAt, caseID, attID string) (*attFile, error) {
	hdr := make([]byte, attHeader)
	n, err := f.ReadAt(hdr, 0)
	if n < attHeader && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("store: reading attachment %s: %w", attID, err)
	}
	return s.parseAttHeader(hdr[:n], caseID, attID)
}

// sealedWith reports whether the file at p starts like a sealed file of the key kid. Files that
// cannot be read are reported as sealed (left alone).
func sealedWith(p string, kid [16]byte) bool {
	f, err := os.Open(p)
	if err != nil {
		return true
	}
	defer f.Close()
	var b [attFixed]byte
	n, err := io.ReadFull(f, b[:])
	if err != nil && n == 0 && !errors.Is(err, io.EOF) {
		return true
	}
	return sealedHeader(b[:n], kid)
}

// sealedHeader reports whether hdr starts with the magic, this format version and the key id kid.
func sealedHeader(hdr []byte, kid [16]byte) bool {
	return len(hdr) >= attFixed && string(hdr[:attKeyIDAt-1]) == attMagic && hdr[attKeyIDAt-1] == attVersion &&
		bytes.Equal(hdr[attKeyIDAt:attFileIDAt], kid[:])
}

func (af *attFile) recordAD(i uint64, final bool) []byte {
	ad := make([]byte, 0, len(af.chunkAD)+9)
	ad = append(ad, af.chunkAD...)
	ad = binary.BigEndian.AppendUint64(ad, i)
	flag := byte(0)
	if final {
		flag = 1
	}
	return append(ad, flag)
}

// sealChunk appends the record of chunk i to dst.
func (af *attFile) sealChunk(dst []byte, i uint64, final bool, plain []byte) []byte {
	nonce := randomBytes(nonceSize)
	dst = append(dst, nonce...)
	return af.aead.Seal(dst, nonce, plain, af.recordAD(i, final))
}

// openChunk decrypts the record of chunk i into dst's storage.
func (af *attFile) openChunk(dst []byte, i uint64, final bool, rec []byte) ([]byte, error) {
	if len(rec) < nonceSize+attTag {
		return nil, errors.New("record too short")
	}
	return af.aead.Open(dst[:0], rec[:nonceSize], rec[nonceSize:], af.recordAD(i, final))
}

// attReader decrypts and verifies records [0, records) of a sealed file as they are read, then
// returns extra (plaintext not sealed yet: a writer's tail).
type attReader struct {
	src     io.ReaderAt
	closer  io.Closer // nil: the source belongs to someone else
	af      *attFile
	next    uint64 // the record to read next
	records uint64
	final   bool // the last record is the file's final chunk
	extra   []byte
	rec     []byte
	plain   []byte
	pending []byte // decrypted, not yet returned
	err     error
}

func newAttReader(src io.ReaderAt, closer io.Closer, af *attFile, records uint64, final bool, extra []byte) *attReader {
	return &attReader{src: src, closer: closer, af: af, records: records, final: final, extra: extra,
		rec: make([]byte, attRecord), plain: make([]byte, 0, attChunk)}
}

func (r *attReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

func (r *attReader) fill() {
	if r.next >= r.records {
		if len(r.extra) > 0 {
			r.pending, r.extra = r.extra, nil
			return
		}
		r.err = io.EOF
		return
	}
	i := r.next
	final := r.final && i == r.records-1
	n := attChunk
	if final {
		n = int(r.af.size % attChunk)
	}
	rec := r.rec[:nonceSize+n+attTag]
	got, err := r.src.ReadAt(rec, attHeader+int64(i)*attRecord)
	if got < len(rec) {
		if err == nil || errors.Is(err, io.EOF) {
			r.err = fmt.Errorf("%w: chunk %d is cut short (truncated file)", ErrAttachmentDamaged, i)
		} else {
			r.err = fmt.Errorf("store: reading attachment: %w", err)
		}
		return
	}
	plain, err := r.af.openChunk(r.plain, i, final, rec)
	if err != nil {
		r.err = fmt.Errorf("%w: chunk %d fails authentication", ErrAttachmentDamaged, i)
		return
	}
	r.pending = plain
	r.next++
}

func (r *attReader) Close() error {
	r.err = errors.New("store: attachment reader closed")
	r.pending = nil
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// attWriters holds the part files that have an open writer in this process (other processes
// cannot open the cache at the same time).
var attWriters sync.Map

// AttachmentWriter receives an attachment's bytes and keeps them sealed on disk, resumable: every
// complete 64 KiB chunk is sealed and appended to a part file at once; the rest stays in memory
// until Commit seals it as the final chunk and renames the file into place. It satisfies the
// client's download sink. Not safe for concurrent use; Close it when done (after Commit too).
type AttachmentWriter struct {
	s      *Store
	caseID string
	att    api.Attachment
	path   string // the sealed file
	part   string // path + partSuffix

	f        *os.File // the part file; nil while complete and after Close
	af       *attFile
	chunks   uint64 // complete chunks in f
	tail     []byte // bytes after them, not sealed yet
	rec      []byte
	complete bool  // the sealed file holds att already and nothing was reset
	done     bool  // committed or closed
	err      error // sticky write error (Reset clears it)
}

// OpenAttachmentWriter opens the writer of att's sealed file. When the sealed file is complete
// (AttachmentComplete), Held is att.Size and OpenHeld reads it; Commit then keeps it. Otherwise it
// resumes a part file of an earlier, cut download of the same attachment (same size and declared
// sha256): every chunk is verified and Held counts those that are intact, up to the first one that
// is not (a torn write after a crash), which is dropped with all after it. A part file of another
// key, size or sha256 is started over. ErrAttachmentBusy while another writer of this process has
// the attachment open.
func (s *Store) OpenAttachmentWriter(caseID string, att api.Attachment) (*AttachmentWriter, error) {
	if !validCaseID(caseID) || !validCaseID(att.ID) || att.Size < 0 {
		return nil, fmt.Errorf("%w: attachment needs case and attachment ids and a size", ErrInvalid)
	}
	if err := s.alive(); err != nil {
		return nil, err
	}
	if _, err := claimRoot(s.AttachmentsRoot(), attachmentsMarker, false, true); err != nil {
		return nil, err
	}
	if err := privateDir(s.attachmentCaseDir(caseID)); err != nil {
		return nil, err
	}
	path := s.attachmentFile(caseID, att.ID)
	w := &AttachmentWriter{s: s, caseID: caseID, att: att, path: path, part: path + partSuffix}
	if _, busy := attWriters.LoadOrStore(w.part, struct{}{}); busy {
		return nil, fmt.Errorf("attachment %s: %w", att.ID, ErrAttachmentBusy)
	}
	if s.AttachmentComplete(caseID, att) {
		w.complete = true
		_ = os.Remove(w.part) // a leftover of an earlier download: nothing to resume
		return w, nil
	}
	if err := w.resume(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// resume opens the part file and keeps its intact chunks, or starts it over.
func (w *AttachmentWriter) resume() error {
	f, err := os.OpenFile(w.part, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	w.f = f
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	af, err := w.s.readAttHeader(f, w.caseID, w.att.ID)
	if err != nil || af.size != w.att.Size || af.sha != shaTag(w.att.SHA256) {
		return w.startOver()
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	w.af = af
	// Only full chunks count: the final one is written by Commit, right before the rename.
	avail := uint64(max(st.Size()-attHeader, 0) / attRecord)
	limit := min(avail, uint64(w.att.Size/attChunk))
	rec := make([]byte, attRecord)
	plain := make([]byte, 0, attChunk)
	var n uint64
	for ; n < limit; n++ {
		if got, _ := f.ReadAt(rec, attHeader+int64(n)*attRecord); got < attRecord {
			break
		}
		if _, err := af.openChunk(plain, n, false, rec); err != nil {
			break
		}
	}
	w.chunks = n
	if end := attHeader + int64(n)*attRecord; st.Size() != end {
		if err := f.Truncate(end); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

// startOver empties the part file and writes a new header (a new file id, so no chunk of the old
// content can be mixed into the new one). When that fails the writer holds nothing and keeps the
// error (Write, OpenHeld and Commit return it) until a later Reset succeeds; the part file is
// closed, so that Reset opens it afresh.
func (w *AttachmentWriter) startOver() error {
	w.chunks, w.tail, w.af, w.err = 0, w.tail[:0], nil, nil
	if err := w.writeHeader(); err != nil {
		w.err = err
		if w.f != nil {
			_ = w.f.Close()
			w.f = nil
		}
		return err
	}
	return nil
}

func (w *AttachmentWriter) writeHeader() error {
	if w.f == nil {
		f, err := os.OpenFile(w.part, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		w.f = f
	}
	if err := w.f.Truncate(0); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	hdr, af := w.s.newAttHeader(w.caseID, w.att)
	if _, err := w.f.WriteAt(hdr, 0); err != nil {
		return fmt.Errorf("store: writing attachment: %w", err)
	}
	w.af = af
	return nil
}

// Held reports how many plaintext bytes the writer holds: a complete sealed file's size, or the
// intact chunks of the part file plus what was written since.
func (w *AttachmentWriter) Held() int64 {
	if w.complete {
		return w.att.Size
	}
	return int64(w.chunks)*attChunk + int64(len(w.tail))
}

// OpenHeld returns a reader over the bytes held (decrypted and verified as they are read), for a
// downloader to hash them before it resumes. Read it before the next Write.
func (w *AttachmentWriter) OpenHeld() (io.ReadCloser, error) {
	switch {
	case w.done:
		return nil, errWriterDone
	case w.err != nil:
		return nil, w.err
	case w.complete:
		return w.s.OpenAttachment(w.caseID, w.att)
	}
	return newAttReader(w.f, nil, w.af, w.chunks, false, bytes.Clone(w.tail)), nil
}

var errWriterDone = errors.New("store: attachment writer already committed or closed")

// Write appends p to the bytes held. Bytes beyond the attachment's size are refused (ErrInvalid).
func (w *AttachmentWriter) Write(p []byte) (int, error) {
	switch {
	case w.done:
		return 0, errWriterDone
	case w.err != nil:
		return 0, w.err
	case w.complete:
		return 0, fmt.Errorf("%w: the attachment is complete; Reset before writing it again", ErrInvalid)
	case w.Held()+int64(len(p)) > w.att.Size:
		return 0, fmt.Errorf("%w: more bytes than the attachment's size", ErrInvalid)
	}
	n := 0
	for len(p) > 0 {
		if w.tail == nil {
			w.tail = make([]byte, 0, attChunk)
		}
		k := min(attChunk-len(w.tail), len(p))
		w.tail = append(w.tail, p[:k]...)
		p, n = p[k:], n+k
		if len(w.tail) == attChunk {
			if err := w.seal(false); err != nil {
				w.err = err
				return n, err
			}
		}
	}
	return n, nil
}

// seal writes the tail as chunk w.chunks.
func (w *AttachmentWriter) seal(final bool) error {
	w.rec = w.af.sealChunk(w.rec[:0], w.chunks, final, w.tail)
	if _, err := w.f.WriteAt(w.rec, attHeader+int64(w.chunks)*attRecord); err != nil {
		return fmt.Errorf("store: writing attachment: %w", err)
	}
	w.chunks++
	w.tail = w.tail[:0]
	return nil
}

// Reset drops every byte held and starts the part file over. A complete sealed file stays in place
// until a Commit replaces it.
func (w *AttachmentWriter) Reset() error {
	if w.done {
		return errWriterDone
	}
	w.complete = false
	return w.startOver()
}

// Commit seals the last chunk, syncs the part file and renames it over the sealed file. It needs
// exactly the attachment's size; the caller has verified the bytes (size and sha256). On a
// complete sealed file that was not Reset it does nothing.
func (w *AttachmentWriter) Commit() error {
	switch {
	case w.done:
		return errWriterDone
	case w.complete:
		return nil
	case w.err != nil:
		return w.err
	case w.Held() != w.att.Size:
		return fmt.Errorf("%w: %d of %d bytes held", ErrInvalid, w.Held(), w.att.Size)
	}
	if err := w.seal(true); err != nil {
		w.err = err
		return err
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("store: %w", err)
		return w.err
	}
	f := w.f
	w.f = nil
	if err := f.Close(); err != nil {
		w.err = fmt.Errorf("store: %w", err)
		return w.err
	}
	if err := os.Rename(w.part, w.path); err != nil {
		w.err = fmt.Errorf("store: %w", err) // the part file stays; its chunks can be resumed
		return w.err
	}
	syncDir(w.s.attachmentCaseDir(w.caseID))
	w.complete = true
	return nil
}

// Close releases the writer. A part file without a single complete chunk is removed; one with
// chunks stays for the next writer to resume.
func (w *AttachmentWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	defer attWriters.Delete(w.part)
	var err error
	if w.f != nil {
		err = w.f.Close()
		w.f = nil
	}
	if w.chunks == 0 && !w.complete {
		_ = os.Remove(w.part)
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
