package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// maxJWKSBytes bounds the provider's key set document.
const maxJWKSBytes = 1 << 20

// jwksKeySet verifies token signatures with the keys the provider publishes at its jwks_uri
// (an oidc.KeySet). A token naming a key it does not hold makes it fetch the set again (key
// rotation); the new set replaces the old one before that verification returns, so once a
// request has seen a key removed no later request accepts it. (go-oidc's RemoteKeySet replaces
// its cache in a goroutine after answering: a request right after could still pass with a key
// the provider had already withdrawn.)
type jwksKeySet struct {
	url  string
	hc   *http.Client
	algs []jose.SignatureAlgorithm

	fetchMu sync.Mutex // one fetch at a time; held across the request
	mu      sync.Mutex // guards keys and gen
	keys    []jose.JSONWebKey
	gen     uint64 // counts fetches, so a waiter sees that another fetched meanwhile
}

func newJWKSKeySet(url string, hc *http.Client, algs []string) *jwksKeySet {
	k := &jwksKeySet{url: url, hc: hc}
	for _, a := range algs {
		k.algs = append(k.algs, jose.SignatureAlgorithm(a))
	}
	return k
}

// VerifySignature checks the JWT's signature and returns its payload.
func (k *jwksKeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(jwt, k.algs)
	if err != nil {
		return nil, fmt.Errorf("oidc: malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("oidc: want exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	k.mu.Lock()
	keys, gen := k.keys, k.gen
	k.mu.Unlock()
	if p, ok := verifyWith(jws, kid, keys); ok {
		return p, nil
	}
	keys, err = k.refresh(ctx, gen)
	if err != nil {
		return nil, fmt.Errorf("oidc: fetching keys: %w", err)
	}
	if p, ok := verifyWith(jws, kid, keys); ok {
		return p, nil
	}
	return nil, errors.New("oidc: failed to verify token signature")
}

func verifyWith(jws *jose.JSONWebSignature, kid string, keys []jose.JSONWebKey) ([]byte, bool) {
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if p, err := jws.Verify(&key); err == nil {
			return p, true
		}
	}
	return nil, false
}

// refresh fetches the key set unless another request fetched it since generation seen (its
// result is as new as one of our own would be).
func (k *jwksKeySet) refresh(ctx context.Context, seen uint64) ([]jose.JSONWebKey, error) {
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	k.mu.Lock()
	if k.gen != seen {
		keys := k.keys
		k.mu.Unlock()
		return keys, nil
	}
	k.mu.Unlock()
	keys, err := k.fetch(ctx)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.keys, k.gen = keys, k.gen+1
	k.mu.Unlock()
	return keys, nil
}

func (k *jwksKeySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("key set: HTTP %d", resp.StatusCode)
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("key set larger than 1 MiB")
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	return set.Keys, nil
}
