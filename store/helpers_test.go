package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

// cheapKDF keeps tests fast; real caches use DefaultKDF.
var cheapKDF = &KDFParams{Time: 1, Memory: 64, Threads: 1}

const testPass = "korrekt Pferd Batterie Heftklammer"

// clock is an injectable, advancing test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func testOptions(dir string) Options {
	return Options{Dir: dir, Passphrase: testPass, KDF: cheapKDF, LockTimeout: 200 * time.Millisecond, Now: newClock().Now}
}

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(testOptions(dir))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newTestStore(t testing.TB) *Store {
	t.Helper()
	return openTest(t, t.TempDir())
}

// mkCase builds a realistic case. The applicant name and form values are personal data.
func mkCase(i int, due string, version int64) api.Case {
	return api.Case{
		ID:        fmt.Sprintf("case-%06d", i),
		Amt:       "amt-musterstadt",
		Reference: fmt.Sprintf("GEW-2026-%06d", i),
		Service:   api.Service{Key: "99050012104000", Name: "Gewerbeanmeldung"},
		Applicant: api.Applicant{Kind: "person", Name: fmt.Sprintf("Erika Mustermann%d", i),
			Address: "Heidestraße 17, 51147 Köln", Email: "erika@example.org"},
		SubmittedAt: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		DueDate:     due,
		Status:      api.StatusNew,
		Sections: []api.Section{{Title: "Betrieb", Fields: []api.Field{
			{Label: "Tätigkeit", Value: "Imbiss mit Außer-Haus-Verkauf"},
			{Label: "Steuernummer", Value: fmt.Sprintf("21/815/%05d", i)},
		}}},
		Attachments: []api.Attachment{{ID: "att-1", Name: "ausweis.pdf", ContentType: "application/pdf", Size: 1234}},
		Version:     version,
		UpdatedAt:   time.Date(2026, 10, 2, 8, 0, 0, 0, time.UTC),
	}
}

func upsert(cs ...api.Case) []api.Change {
	var out []api.Change
	for i := range cs {
		c := cs[i]
		out = append(out, api.Change{Seq: int64(i + 1), Kind: api.ChangeUpsert, CaseID: c.ID, Case: &c})
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func noPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", name, r)
		}
	}()
	fn()
}

// flipAll flips one byte (at pos from the start of each occurrence) in every copy of rec in raw:
// bbolt keeps stale copies of pages in free space, so the live one may not be the first.
func flipAll(t *testing.T, raw, rec []byte, pos int) {
	t.Helper()
	n := 0
	for off := 0; ; {
		at := bytes.Index(raw[off:], rec)
		if at < 0 {
			break
		}
		raw[off+at+pos] ^= 0xff
		off += at + len(rec)
		n++
	}
	if n == 0 {
		t.Fatal("record not found in file")
	}
}
