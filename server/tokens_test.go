package server

import (
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// TestTokenLastUsed: a token's day of use is noted in memory and written back once per day
// (at the flush, here at Close), never per request; ListTokens shows it.
func TestTokenLastUsed(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC) // 23:30 in Berlin
	s := openAt(t, dir, &now, -1)
	if err := s.CreateAmt("amt-x", "Amt X"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"a", "b"} {
		if err := s.CreateClerk("amt-x", c, c, api.RoleClerk); err != nil {
			t.Fatal(err)
		}
	}
	tokA, err := s.CreateToken("amt-x", "a", api.RoleClerk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateToken("amt-x", "b", api.RoleClerk); err != nil {
		t.Fatal(err)
	}
	me := func() {
		t.Helper()
		req := httptest.NewRequest("GET", api.BasePath+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+tokA)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("/me: %d", rec.Code)
		}
	}
	for range 3 {
		me()
	}
	if len(s.tokens.pending) != 1 {
		t.Fatalf("pending %v", s.tokens.pending)
	}
	if err := s.flushTokenUse(); err != nil {
		t.Fatal(err)
	}
	me() // the record already says today: nothing to write
	if len(s.tokens.pending) != 0 {
		t.Fatalf("noted again on the same day: %v", s.tokens.pending)
	}
	now = now.Add(time.Hour) // the next day in Berlin
	me()
	s.Close()
	toks, err := ListTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 2 || toks[0].Clerk != "a" || toks[0].LastUsed != "2026-11-25" || toks[1].LastUsed != "" {
		t.Fatalf("tokens %+v", toks)
	}
	if !toks[0].Created.Equal(time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC)) {
		t.Fatalf("created %v", toks[0].Created)
	}
}

// TestRevokeTokenByID: a prefix names one token; an ambiguous or unknown one revokes nothing.
func TestRevokeTokenByID(t *testing.T) {
	now := idemT0
	s := openAt(t, t.TempDir(), &now, -1)
	defer s.Close()
	keys := []string{"abcdef0102aa", "abcdef0102bb", "123456789a"}
	err := s.boltDB().Update(func(tx *bolt.Tx) error {
		for i, k := range keys {
			key, _ := hex.DecodeString(k + strings.Repeat("0", 64-len(k)))
			if err := putJSON(tx.Bucket(bTokens), key, tokenRec{Clerk: "c" + string(rune('0'+i)), Amt: "amt-x", Role: api.RoleClerk}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		n := 0
		s.boltDB().View(func(tx *bolt.Tx) error { n = tx.Bucket(bTokens).Stats().KeyN; return nil })
		return n
	}
	tests := []struct {
		id      string
		clerk   string // revoked; "" = error
		errText string
	}{
		{"abcdef01", "", "ambiguous"},
		{"ABCDEF0102", "", "ambiguous"},
		{"ffffffff", "", "no token"},
		{"abc", "", "8 to 64"},
		{"abcdefgh", "", "hex"},
		{"ABCDEF0102AA", "c0", ""},
		{"abcdef01", "c1", ""}, // no longer ambiguous
		{"12345678", "c2", ""},
	}
	left := len(keys)
	for _, tt := range tests {
		ti, err := s.RevokeToken(tt.id)
		if tt.clerk == "" {
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("%s: %v, want an error with %q", tt.id, err, tt.errText)
			}
			if tt.errText == "no token" && !errors.Is(err, ErrNoToken) {
				t.Fatalf("%s: %v is not ErrNoToken", tt.id, err)
			}
		} else {
			if err != nil || ti.Clerk != tt.clerk || !strings.HasPrefix(ti.ID, strings.ToLower(tt.id[:min(len(tt.id), TokenIDLen)])) {
				t.Fatalf("%s: %+v %v", tt.id, ti, err)
			}
			left--
		}
		if n := count(); n != left {
			t.Fatalf("after %s: %d tokens, want %d", tt.id, n, left)
		}
	}
}
