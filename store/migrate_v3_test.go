package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
	bolt "go.etcd.io/bbolt"
)

// The summary flags of outgoing documents: a failed delivery and a letter waiting in the print
// queue show in the case's summary; a document sent, printed or mailed shows neither.
func TestSummaryDocumentFlags(t *testing.T) {
	doc := func(ch api.DeliveryChannel, st api.DeliveryState) api.Document {
		return api.Document{ID: "d", Kind: api.DocumentBescheid, Delivery: api.Delivery{Channel: ch, State: st}}
	}
	for _, tc := range []struct {
		name          string
		docs          []api.Document
		failed, print bool
	}{
		{"none", nil, false, false},
		{"mail pending", []api.Document{doc(api.ChannelEmail, api.DeliveryPending)}, false, false},
		{"mail sent", []api.Document{doc(api.ChannelEmail, api.DeliverySent)}, false, false},
		{"mail failed", []api.Document{doc(api.ChannelEmail, api.DeliveryFailed)}, true, false},
		{"fitconnect failed", []api.Document{doc(api.ChannelFitConnect, api.DeliveryFailed)}, true, false},
		{"letter waiting", []api.Document{doc(api.ChannelLetter, api.DeliveryPending)}, false, true},
		{"letter printed", []api.Document{doc(api.ChannelLetter, api.DeliveryPrinted)}, false, false},
		{"both", []api.Document{doc(api.ChannelEmail, api.DeliveryFailed), doc(api.ChannelLetter, api.DeliveryPending)}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, t.TempDir())
			c := mkCase(1, "2026-12-10", 1)
			c.Documents = tc.docs
			if err := s.ApplyChanges(upsert(c), "c1"); err != nil {
				t.Fatal(err)
			}
			sum, err := s.Summary(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if sum.DeliveryFailed != tc.failed || sum.PrintWaiting != tc.print {
				t.Fatalf("failed=%v print=%v, want %v %v", sum.DeliveryFailed, sum.PrintWaiting, tc.failed, tc.print)
			}
			dec, err := decodeSummary(encodeSummary(&sum))
			if err != nil || dec != sum {
				t.Fatalf("round trip: %+v, %v", dec, err)
			}
		})
	}
}

// A schema-2 cache (summaries without the document flags) opens with its summaries rewritten:
// the flags hold for cases cached before the upgrade.
func TestMigrateV2toV3(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	failed := mkCase(1, "2026-12-10", 1)
	failed.Documents = []api.Document{{ID: "b", Delivery: api.Delivery{Channel: api.ChannelEmail, State: api.DeliveryFailed}}}
	letter := mkCase(2, "2026-12-11", 1)
	letter.Documents = []api.Document{{ID: "b", Delivery: api.Delivery{Channel: api.ChannelLetter, State: api.DeliveryPending}}}
	plain := mkCase(3, "2026-12-12", 1)
	if err := s.ApplyChanges(upsert(failed, letter, plain), "c1"); err != nil {
		t.Fatal(err)
	}
	aead := s.aead
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Write the summaries as schema 2 did: no document flags.
	rawUpdate(t, filepath.Join(dir, DBFile), func(tx *bolt.Tx) error {
		idx := tx.Bucket(bIndex)
		type kv struct{ k, v []byte }
		var rows []kv
		if err := idx.ForEach(func(k, v []byte) error {
			p, err := open(aead, bIndex, k, v)
			if err != nil {
				return err
			}
			sum, err := decodeSummary(p)
			if err != nil {
				return err
			}
			sum.DeliveryFailed, sum.PrintWaiting = false, false
			rows = append(rows, kv{append([]byte(nil), k...), seal(aead, bIndex, k, encodeSummary(&sum))})
			return nil
		}); err != nil {
			return err
		}
		for _, r := range rows {
			if err := idx.Put(r.k, r.v); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(mSchema, u64(2))
	})
	s = openTest(t, dir)
	if v := schemaOf(t, s); v != SchemaVersion() || v < 3 {
		t.Fatalf("schema %d, want %d", v, SchemaVersion())
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id            string
		failed, print bool
	}{{failed.ID, true, false}, {letter.ID, false, true}, {plain.ID, false, false}} {
		sum, err := s.Summary(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if sum.DeliveryFailed != tc.failed || sum.PrintWaiting != tc.print {
			t.Errorf("%s: failed=%v print=%v, want %v %v", tc.id, sum.DeliveryFailed, sum.PrintWaiting, tc.failed, tc.print)
		}
	}
	if n, err := s.Count(); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v", n, err)
	}
}

// The print queue lists the letters waiting for print across cases, oldest first; a printed
// mark queued offline takes a document out at once (overlay), and a case without letters is not
// read.
func TestPrintQueue(t *testing.T) {
	s := openTest(t, t.TempDir())
	at := func(h int) time.Time { return time.Date(2026, 12, 4, h, 0, 0, 0, time.UTC) }
	letter := func(id string, h int, st api.DeliveryState) api.Document {
		return api.Document{ID: id, Kind: api.DocumentBescheid, Name: id + ".pdf", CreatedAt: at(h),
			Delivery: api.Delivery{Channel: api.ChannelLetter, State: st}}
	}
	a := mkCase(1, "2026-12-10", 1)
	a.Documents = []api.Document{letter("a-nf", 9, api.DeliveryPrinted), letter("a-b", 11, api.DeliveryPending)}
	b := mkCase(2, "2026-12-11", 1)
	b.Documents = []api.Document{letter("b-nf", 8, api.DeliveryPending), letter("b-b", 12, api.DeliveryPending)}
	mail := mkCase(3, "2026-12-12", 1)
	mail.Documents = []api.Document{{ID: "m", Delivery: api.Delivery{Channel: api.ChannelEmail, State: api.DeliveryPending}}}
	if err := s.ApplyChanges(upsert(a, b, mail), "c1"); err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		t.Helper()
		q, err := s.PrintQueue()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range q {
			out = append(out, it.CaseID+"/"+it.Doc.ID)
		}
		return out
	}
	if got, want := ids(), []string{b.ID + "/b-nf", a.ID + "/a-b", b.ID + "/b-b"}; !slices.Equal(got, want) {
		t.Fatalf("queue %v, want %v", got, want)
	}
	if _, err := s.Enqueue(Action{CaseID: b.ID, Kind: api.ActionPrinted, SubID: "b-nf", Body: []byte(`{}`), BaseVersion: 1, Actor: "x"}); err != nil {
		t.Fatal(err)
	}
	if got, want := ids(), []string{a.ID + "/a-b", b.ID + "/b-b"}; !slices.Equal(got, want) {
		t.Fatalf("after the printed mark: %v, want %v", got, want)
	}
}
