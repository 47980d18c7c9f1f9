package server

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/amt-mv/amt/api"
)

// TokenIDLen is the length of a TokenInfo.ID: hex digits of the token's SHA-256, the key it is
// stored under. Enough to tell tokens apart, useless for guessing the token.
const TokenIDLen = 12

// TokenInfo describes a stored token for its admin, never the token or its full hash.
type TokenInfo struct {
	ID      string    `json:"id"` // the first TokenIDLen hex digits of the token's hash; RevokeToken takes it
	Amt     string    `json:"amt"`
	Clerk   string    `json:"clerk"`
	Role    api.Role  `json:"role"`
	Created time.Time `json:"created"`
	// LastUsed is the day (YYYY-MM-DD) of the last request with the token, empty if none was
	// recorded. Days are written back hourly and when the server stops, so a day may be missing
	// after a crash.
	LastUsed string `json:"lastUsed,omitempty"`
	// Expires is when the token stops being accepted; zero (absent) for a token issued before
	// tokens expired, which never does.
	Expires time.Time `json:"expires,omitzero"`
}

// ErrNoToken is returned by RevokeToken when no token has the given id.
var ErrNoToken = errors.New("server: no token with this id")

func tokenInfo(key []byte, rec tokenRec) TokenInfo {
	return TokenInfo{ID: hex.EncodeToString(key)[:TokenIDLen], Amt: rec.Amt, Clerk: rec.Clerk, Role: rec.Role,
		Created: rec.Created, LastUsed: rec.LastUsed, Expires: rec.Expires}
}

// ListTokens lists the tokens stored in the database of dataDir, by Amt, clerk and creation
// time. It opens the database read-only and so needs the server stopped; while a server holds
// the database it fails with an error saying so. It never creates a data directory.
func ListTokens(dataDir string) ([]TokenInfo, error) {
	path := filepath.Join(dataDir, DBFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("server: no database in %s: %w", dataDir, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("server: the database in %s is in use (is amt-server running? stop it first): %w", dataDir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("server: open database: %w", err)
	}
	defer db.Close()
	var out []TokenInfo
	if err := db.View(func(tx *bolt.Tx) error { return listBoltTokens(tx, &out) }); err != nil {
		return nil, err
	}
	sortTokens(out)
	return out, nil
}

// sortTokens sorts tokens by Amt, clerk, creation time and id.
func sortTokens(out []TokenInfo) {
	slices.SortFunc(out, func(a, b TokenInfo) int {
		if c := strings.Compare(a.Amt, b.Amt); c != 0 {
			return c
		}
		if c := strings.Compare(a.Clerk, b.Clerk); c != 0 {
			return c
		}
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// RevokeToken deletes the one token whose id (TokenInfo.ID, or a prefix of at least 8 hex
// digits) matches and returns what it was. No match answers ErrNoToken; several matches are an
// error and revoke nothing.
func (s *Server) RevokeToken(id string) (TokenInfo, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 || len(id) > 64 {
		return TokenInfo{}, fmt.Errorf("server: a token id has 8 to 64 hex digits, not %d", len(id))
	}
	if strings.Trim(id, "0123456789abcdef") != "" {
		return TokenInfo{}, errors.New("server: a token id is hex digits (see amt-server token list)")
	}
	info, err := s.store.RevokeToken(context.Background(), id)
	if err != nil {
		return TokenInfo{}, err
	}
	return info, nil
}

// tokenUse remembers on which day tokens were used, in memory, so that recording it costs no
// write per request: flushTokenUse writes the days back (hourly and at Close), at most one write
// per token and day.
type tokenUse struct {
	mu      sync.Mutex
	pending map[string]string // token hash → day not yet written back
}

// used notes that the token with hash key made a request today; stored is the day its record
// already holds.
func (u *tokenUse) used(key []byte, stored, today string) {
	if stored >= today {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending == nil {
		u.pending = map[string]string{}
	}
	if u.pending[string(key)] < today {
		u.pending[string(key)] = today
	}
}

func (u *tokenUse) take() map[string]string {
	u.mu.Lock()
	defer u.mu.Unlock()
	p := u.pending
	u.pending = nil
	return p
}

// putBack returns days that could not be written, unless a later day was noted meanwhile.
func (u *tokenUse) putBack(p map[string]string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending == nil {
		u.pending = map[string]string{}
	}
	for k, day := range p {
		if u.pending[k] < day {
			u.pending[k] = day
		}
	}
}

// flushTokenUse writes the noted last-used days into the tokens' records; a token revoked
// meanwhile stays revoked.
func (s *Server) flushTokenUse() error {
	p := s.tokens.take()
	if len(p) == 0 {
		return nil
	}
	err := s.store.TouchTokens(context.Background(), p)
	if err != nil {
		s.tokens.putBack(p)
	}
	return err
}

// Tokens lists the stored tokens by Amt, clerk and creation time (for a running server's store;
// ListTokens reads a stopped bbolt data directory).
func (s *Server) Tokens() ([]TokenInfo, error) {
	out, err := s.store.ListTokens(context.Background())
	if err != nil {
		return nil, err
	}
	sortTokens(out)
	return out, nil
}

// RotateToken replaces the one token whose id (TokenInfo.ID, or a prefix of at least 8 hex
// digits) matches: a new token for the same Amt, clerk and role, valid for validity
// (0 = Config.TokenValidity), and the old one revoked. It returns the new token and what the old
// one was. The clerk signs in with the new token; the local cache and its outbox stay.
func (s *Server) RotateToken(id string, validity time.Duration) (string, TokenInfo, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 || len(id) > 64 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", TokenInfo{}, errors.New("server: a token id has 8 to 64 hex digits (see amt-server token list)")
	}
	all, err := s.store.ListTokens(context.Background())
	if err != nil {
		return "", TokenInfo{}, err
	}
	var old []TokenInfo
	for _, t := range all {
		if strings.HasPrefix(t.ID, id[:min(len(id), TokenIDLen)]) {
			old = append(old, t)
		}
	}
	switch len(old) {
	case 0:
		return "", TokenInfo{}, fmt.Errorf("%w %s", ErrNoToken, id)
	case 1:
	default:
		return "", TokenInfo{}, fmt.Errorf("server: token id %s is ambiguous; give more digits", id)
	}
	tok, err := s.CreateTokenValidFor(old[0].Amt, old[0].Clerk, old[0].Role, validity)
	if err != nil {
		return "", TokenInfo{}, err
	}
	if _, err := s.RevokeToken(id); err != nil {
		return "", TokenInfo{}, fmt.Errorf("server: the new token was made, but the old one could not be revoked (revoke it with amt-server token revoke --id %s): %w", old[0].ID, err)
	}
	return tok, old[0], nil
}
