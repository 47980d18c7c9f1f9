// Package demokeys holds eight fixed RSA-4096 keys for the FIT-Connect emulator in tests and the
// demo, so neither waits for key generation. They are public: never use them for anything real.
package demokeys

import (
	"crypto/rsa"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/amt-mv/amt/fitconnect"
)

//go:embed keys.json
var keysJSON []byte

// N is the number of keys.
const N = 8

var (
	once sync.Once
	keys []*rsa.PrivateKey
)

func load() {
	var raw []json.RawMessage
	if err := json.Unmarshal(keysJSON, &raw); err != nil {
		panic(err)
	}
	for _, r := range raw {
		k, _, err := fitconnect.ParsePrivateJWK(r)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k)
	}
}

// Private returns key i (0 ≤ i < N).
func Private(i int) *rsa.PrivateKey {
	once.Do(load)
	return keys[i]
}

// Key returns key i with the kid and a fresh self-signed certificate.
func Key(i int, kid string) (*fitconnect.Key, error) {
	if i < 0 || i >= N {
		return nil, fmt.Errorf("demokeys: no key %d", i)
	}
	return fitconnect.KeyFrom(Private(i), kid, "amt demo "+kid)
}
