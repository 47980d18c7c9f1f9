package tui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/server/servertest"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/tuitest"
)

// pqNow is the reference server's clock in the print queue test, so the golden's dates hold.
var pqNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// TestPrintQueueView runs the app at 80x24 over a cache synced from the reference server, whose
// seeded decided cases have Bescheide waiting for the post: B shows the Postausgang (golden), p
// fetches the letter through the real client into the sealed cache and hands a plain copy to
// the viewer (the server's bytes), m marks it printed: it leaves the list at once, and after the
// push the server records it printed with an event.
func TestPrintQueueView(t *testing.T) {
	env := servertest.Start(t, servertest.WithData(servertest.Tiny(40, pqNow)), servertest.WithNow(func() time.Time { return pqNow }),
		servertest.WithDocuments())
	c, err := client.New(client.Config{BaseURL: env.URL, Token: env.Token("crivitz.schulz")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	st := tuitest.OpenStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard
	defer cancel()
	y := syncer.New(c, st, syncer.Options{})
	if err := y.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.PrintQueue()
	if err != nil || len(before) < 2 {
		t.Fatalf("%d letters waiting (%v); the seeded decided cases should have Bescheide for the post", len(before), err)
	}
	var opened []string
	var openedBytes []byte
	d := Deps{Store: st, Me: me, Clerks: tuitest.Clerks, Now: tuitest.Clock,
		Download: func(ctx context.Context, caseID string, att api.Attachment, dst *store.AttachmentWriter, progress func(done, total int64)) error {
			return c.Download(ctx, caseID, att, dst, progress)
		},
		Open: func(p string) error {
			opened = append(opened, p)
			b, err := os.ReadFile(p)
			openedBytes = b
			return err
		}}
	first := before[0]
	fm, _ := runApp(t, d, 80, 24, "Vorgänge",
		step{[]string{"B"}, "Schreiben warten auf den Druck"})
	golden.RequireEqual(t, []byte(fm.View()))

	_, _ = runApp(t, d, 80, 24, "Vorgänge",
		step{[]string{"B"}, "Schreiben warten auf den Druck"},
		step{[]string{"p"}, "geöffnet"},
		step{[]string{"m"}, "Schreiben warten auf den Druck"})
	if len(opened) != 1 {
		t.Fatalf("viewer called %d times", len(opened))
	}
	sum := sha256.Sum256(openedBytes)
	if hex.EncodeToString(sum[:]) != first.Doc.SHA256 {
		t.Fatal("the viewer got other bytes than the case's document")
	}
	after, err := st.PrintQueue()
	if err != nil || len(after) != len(before)-1 || slices.ContainsFunc(after, func(it store.PrintItem) bool {
		return it.CaseID == first.CaseID && it.Doc.ID == first.Doc.ID
	}) {
		t.Fatalf("after m: %d letters (%v), want %d without the printed one", len(after), err, len(before)-1)
	}
	if err := y.Push(ctx); err != nil {
		t.Fatal(err)
	}
	sc, err := c.Case(ctx, first.CaseID, "")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sc.Documents, func(d api.Document) bool { return d.ID == first.Doc.ID })
	if i < 0 || sc.Documents[i].Delivery.State != api.DeliveryPrinted {
		t.Fatalf("server document: %+v", sc.Documents)
	}
	if !slices.ContainsFunc(sc.History, func(e api.Event) bool { return e.Kind == api.EventDocumentPrinted && e.Actor == me.Clerk }) {
		t.Fatal("no printed event by the clerk in the server's history")
	}
}
