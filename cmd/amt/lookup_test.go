package main

import (
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/store"
)

// An Aktenzeichen carrying zero-width and format characters (hostile or careless intake) is found
// by the text the clerk sees and types: issue #16 item 8 saw `amt show HST-2026-000012` miss it.
func TestShowFindsReferenceByFoldedForm(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0)
	c := loggedIn(t, env, clerkA)
	st, err := store.Open(store.Options{Dir: c.data, Passphrase: "geheim"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Case(caseReview)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	clean := cs.Reference // GEW-2026-000004
	tests := []struct{ stored, typed string }{
		{clean[:4] + "\u200b" + clean[4:], clean},
		{clean[:8] + "\u00ad" + clean[8:] + "\ufeff", clean},
		{clean[:2] + "\u200d" + clean[2:], strings.ToLower(clean)},
	}
	for i, tt := range tests {
		cs.Reference = tt.stored
		cs.Version++
		if err := st.ApplyChanges([]api.Change{{Seq: int64(1000 + i), Kind: api.ChangeUpsert, CaseID: cs.ID, Case: &cs}}, ""); err != nil {
			st.Close()
			t.Fatal(err)
		}
		st.Close()
		out := c.must(0, "show", tt.typed)
		if !strings.Contains(out, clean) || !strings.Contains(out, "Antragsteller 4") {
			t.Fatalf("show %q (stored %q): %s", tt.typed, tt.stored, out)
		}
		if st, err = store.Open(store.Options{Dir: c.data, Passphrase: "geheim"}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
}
