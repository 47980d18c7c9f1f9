package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// CaseDelta is a change-feed upsert sent as what changed since a version the client holds (see
// GET /changes?deltas=1): top-level fields of the case's JSON replaced whole (Set), array fields
// that only grew (Append: the new elements, as a JSON array), fields that went away (Unset), and
// the SHA-256 of the resulting case so the client can prove it rebuilt exactly the server's case.
// A client that does not hold Base, or whose result does not match SHA256, fetches the whole case
// (GET /cases/{id}) instead.
type CaseDelta struct {
	Base   int64                      `json:"base"`
	Set    map[string]json.RawMessage `json:"set,omitempty"`
	Append map[string]json.RawMessage `json:"append,omitempty"`
	Unset  []string                   `json:"unset,omitempty"`
	SHA256 string                     `json:"sha256"`
}

// CaseShape fingerprints the top-level fields of one version of a case's canonical JSON
// (json.Marshal of a Case), so a server can later compute a CaseDelta against that version
// without keeping the version itself (a few hundred bytes instead of the whole case).
type CaseShape struct {
	Version int64                 `json:"v"`
	Fields  map[string]FieldPrint `json:"f"`
}

// FieldPrint is the fingerprint of one top-level field: a 64-bit hash of its JSON and, for an
// array, its length plus one (0 = not an array).
type FieldPrint struct {
	H uint64 `json:"h"`
	N int    `json:"n,omitempty"`
}

// ErrDeltaMismatch: a delta does not apply to the bytes at hand (another base, or the result is
// not the server's case). The caller fetches the whole case instead.
var ErrDeltaMismatch = errors.New("delta does not apply to the cached case")

func hash64(b []byte) uint64 {
	s := sha256.Sum256(b)
	return binary.BigEndian.Uint64(s[:8])
}

// ShapeOf fingerprints a case's canonical JSON.
func ShapeOf(caseJSON []byte) (CaseShape, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(caseJSON, &m); err != nil {
		return CaseShape{}, fmt.Errorf("api: case shape: %w", err)
	}
	sh := CaseShape{Fields: make(map[string]FieldPrint, len(m))}
	if v, ok := m["version"]; ok {
		_ = json.Unmarshal(v, &sh.Version)
	}
	for k, v := range m {
		fp := FieldPrint{H: hash64(v)}
		if len(v) > 0 && v[0] == '[' {
			var elems []json.RawMessage
			if err := json.Unmarshal(v, &elems); err == nil {
				fp.N = len(elems) + 1
			}
		}
		sh.Fields[k] = fp
	}
	return sh, nil
}

// joinArray writes elements as a compact JSON array, as json.Marshal would.
func joinArray(elems []json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// DiffCase computes the delta that turns the version fingerprinted by base into cur (canonical
// JSON of the current version).
func DiffCase(base CaseShape, cur []byte) (CaseDelta, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(cur, &m); err != nil {
		return CaseDelta{}, fmt.Errorf("api: case delta: %w", err)
	}
	sum := sha256.Sum256(cur)
	d := CaseDelta{Base: base.Version, SHA256: hex.EncodeToString(sum[:])}
	for k, v := range m {
		fp, had := base.Fields[k]
		if had && fp.H == hash64(v) {
			continue
		}
		if had && fp.N > 0 && len(v) > 0 && v[0] == '[' {
			var elems []json.RawMessage
			if err := json.Unmarshal(v, &elems); err == nil && len(elems) >= fp.N-1 &&
				hash64(joinArray(elems[:fp.N-1])) == fp.H {
				if d.Append == nil {
					d.Append = map[string]json.RawMessage{}
				}
				d.Append[k] = joinArray(elems[fp.N-1:])
				continue
			}
		}
		if d.Set == nil {
			d.Set = map[string]json.RawMessage{}
		}
		d.Set[k] = v
	}
	for k := range base.Fields {
		if _, ok := m[k]; !ok {
			d.Unset = append(d.Unset, k)
		}
	}
	sort.Strings(d.Unset)
	return d, nil
}

// ApplyCaseDelta rebuilds the server's case from the client's copy of version d.Base and d. It
// fails with ErrDeltaMismatch when base is another version or the result is not byte for byte
// the case the server hashed.
func ApplyCaseDelta(base Case, d CaseDelta) (Case, error) {
	if base.Version != d.Base {
		return Case{}, fmt.Errorf("%w: holds version %d, delta is against %d", ErrDeltaMismatch, base.Version, d.Base)
	}
	raw, err := json.Marshal(base)
	if err != nil {
		return Case{}, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return Case{}, err
	}
	for k, add := range d.Append {
		var have, more []json.RawMessage
		if err := json.Unmarshal(m[k], &have); err != nil {
			return Case{}, fmt.Errorf("%w: %s is not an array", ErrDeltaMismatch, k)
		}
		if err := json.Unmarshal(add, &more); err != nil {
			return Case{}, fmt.Errorf("%w: append to %s is not an array", ErrDeltaMismatch, k)
		}
		m[k] = joinArray(append(have, more...))
	}
	for k, v := range d.Set {
		m[k] = v
	}
	for _, k := range d.Unset {
		delete(m, k)
	}
	merged, err := json.Marshal(m)
	if err != nil {
		return Case{}, fmt.Errorf("%w: %w", ErrDeltaMismatch, err)
	}
	var out Case
	if err := json.Unmarshal(merged, &out); err != nil {
		return Case{}, fmt.Errorf("%w: %w", ErrDeltaMismatch, err)
	}
	canon, err := json.Marshal(out)
	if err != nil {
		return Case{}, err
	}
	if sum := sha256.Sum256(canon); hex.EncodeToString(sum[:]) != d.SHA256 {
		return Case{}, fmt.Errorf("%w: the rebuilt case differs from the server's", ErrDeltaMismatch)
	}
	return out, nil
}
