package client

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestTokenExpiry(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) api.Me { e := now.Add(d); return api.Me{TokenExpires: &e} }
	tests := []struct {
		name          string
		me            api.Me
		soon, expired bool
	}{
		{"no expiry", api.Me{}, false, false},
		{"in 30 days", at(30 * 24 * time.Hour), false, false},
		{"in 14 days", at(TokenWarnBefore), true, false},
		{"in an hour", at(time.Hour), true, false},
		{"now", at(0), false, true},
		{"yesterday", at(-24 * time.Hour), false, true},
	}
	for _, tt := range tests {
		if _, soon, expired := TokenExpiry(tt.me, now); soon != tt.soon || expired != tt.expired {
			t.Errorf("%s: soon %v expired %v, want %v %v", tt.name, soon, expired, tt.soon, tt.expired)
		}
	}
	err := decodeResponse("GET /me", false, http.StatusUnauthorized, http.Header{},
		[]byte(`{"type":"`+api.ProblemTokenExpired+`","title":"Token expired","status":401}`), nil, now, "")
	if !errors.Is(err, ErrTokenExpired) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("401 token-expired: %v", err)
	}
}
