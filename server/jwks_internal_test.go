package server

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// jwksProvider publishes one signing key at a time over loopback; rotate replaces it.
type jwksProvider struct {
	mu      sync.Mutex
	key     *rsa.PrivateKey
	kid     string
	n       int
	fetches int
}

func (p *jwksProvider) rotate(t *testing.T) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.key, p.kid = k, fmt.Sprintf("k%d", p.n)
}

func (p *jwksProvider) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: "RS256", Use: "sig"}}}
	p.fetches++
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// sign returns a compact JWS by the current key.
func (p *jwksProvider) sign(t *testing.T) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.key, KeyID: p.kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign([]byte(`{"sub":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Once a token of the new key was verified (which fetched the key set without the old key), no
// later verification accepts a token of the removed key: the cache is replaced before the
// verification that fetched it returns. (go-oidc's RemoteKeySet replaces it in a goroutine after
// answering, so a request right after could still pass with the removed key.)
func TestKeySetForgetsRemovedKeyAtOnce(t *testing.T) {
	p := &jwksProvider{}
	p.rotate(t)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	for name, ks := range map[string]oidc.KeySet{
		"jwksKeySet": newJWKSKeySet(srv.URL, srv.Client(), []string{oidc.RS256}),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			old := p.sign(t)
			if _, err := ks.VerifySignature(ctx, old); err != nil {
				t.Fatal(err)
			}
			for i := range 100 {
				p.rotate(t)
				cur := p.sign(t)
				if _, err := ks.VerifySignature(ctx, cur); err != nil {
					t.Fatalf("round %d: token of the new key: %v", i, err)
				}
				if _, err := ks.VerifySignature(ctx, old); err == nil {
					t.Fatalf("round %d: a token of the removed key verified after the new key was fetched", i)
				}
				old = cur
			}
		})
	}
}
