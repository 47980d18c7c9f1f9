package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/server/servertest"
)

// The print queue through the real amt binary against the reference server: the seeded decided
// cases' Bescheide (the applicants chose no channel: post) are listed; print downloads one into
// the sealed cache and hands a plain copy to the configured viewer (its bytes are the server's
// document); printed marks it on the server (delivery state printed, an event in the history) and
// takes it out of the list; a second mark, a document of another case and a case without letters
// are refused with a clear message.
func TestPrintQueueCLI(t *testing.T) {
	setupEnv(t)
	env := startServer(t, 0, servertest.WithDocuments())
	c := loggedIn(t, env, clerkA)

	list := func() []printItemJSON {
		t.Helper()
		code, out, errs := c.proc("", "print-queue", "--json")
		if code != 0 {
			t.Fatalf("print-queue --json: %d %s", code, errs)
		}
		var items []printItemJSON
		if err := json.Unmarshal([]byte(out), &items); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return items
	}
	items := list()
	if len(items) == 0 {
		t.Fatal("print queue empty; the seeded decided cases have Bescheide for the post")
	}
	for _, it := range items {
		if it.Kind != api.DocumentBescheid || it.Document.Delivery.Channel != api.ChannelLetter || it.Document.Delivery.State != api.DeliveryPending {
			t.Fatalf("not a waiting letter: %+v", it)
		}
	}
	first := items[0]
	code, out, errs := c.proc("", "print-queue")
	if code != 0 || !strings.Contains(out, "AKTENZEICHEN") || !strings.Contains(out, first.Reference) || !strings.Contains(out, "Bescheid") {
		t.Fatalf("print-queue: %d\n%s\n%s", code, out, errs)
	}

	// print: the viewer is a script that copies the file it is given.
	dir := t.TempDir()
	got := filepath.Join(dir, "got.pdf")
	script := filepath.Join(dir, "viewer.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncp \"$1\" "+got+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AMT_VIEWER", script)
	code, out, errs = c.proc("", "print-queue", "print", first.Reference)
	if code != 0 || !strings.Contains(out, "geöffnet") || !strings.Contains(out, "amt print-queue printed "+first.Reference) {
		t.Fatalf("print: %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != first.Document.SHA256 || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("the viewer got %d bytes that are not the document %s", len(b), first.Document.SHA256)
	}

	// A viewer that fails is reported.
	t.Setenv("AMT_VIEWER", "false")
	if code, _, errs := c.proc("", "print-queue", "print", first.Reference); code != exitErr || !strings.Contains(errs, "Betrachter") {
		t.Fatalf("failing viewer: %d %s", code, errs)
	}

	code, out, errs = c.proc("", "print-queue", "printed", first.Reference, first.Document.ID)
	if code != 0 || !strings.Contains(out, "übermittelt") {
		_, ob, _ := c.proc("", "outbox", "--json")
		t.Fatalf("printed: %d\n%s\n%s\n%s", code, out, errs, ob)
	}
	sc := serverCase(t, env, first.CaseID)
	var doc *api.Document
	for i := range sc.Documents {
		if sc.Documents[i].ID == first.Document.ID {
			doc = &sc.Documents[i]
		}
	}
	if doc == nil || doc.Delivery.State != api.DeliveryPrinted || doc.Delivery.At == nil {
		t.Fatalf("server document after printed: %+v", doc)
	}
	events := 0
	for _, e := range sc.History {
		if e.Kind == api.EventDocumentPrinted {
			events++
		}
	}
	if events != 1 {
		t.Fatalf("%d printed events in the history, want 1", events)
	}
	after := list()
	if len(after) != len(items)-1 {
		t.Fatalf("%d in the queue after the mark, want %d", len(after), len(items)-1)
	}
	for _, it := range after {
		if it.Document.ID == first.Document.ID && it.CaseID == first.CaseID {
			t.Fatal("printed document still listed")
		}
	}

	// Refusals: marked again, a document the case does not have, a case without letters.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"printed", first.Reference, first.Document.ID}, "kein Schreiben"},
		{[]string{"printed", first.Reference}, "wartet kein Schreiben"},
		{[]string{"print", caseReview}, "wartet kein Schreiben"},
		{[]string{"printed", "GEW-0000-404"}, ""},
		{[]string{"frobnicate"}, "Aufruf"},
	} {
		code, out, errs := c.proc("", append([]string{"print-queue"}, tc.args...)...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("print-queue %v: %d\n%s\n%s", tc.args, code, out, errs)
		}
	}
}
