// Package i18n owns the TUI's string catalogue: German first, English second. Files of this
// package add entries in init() via add; views look them up with T and Tf.
package i18n

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Lang is a catalogue language.
type Lang int

// Supported languages. German is the default.
const (
	DE Lang = iota
	EN
)

// String returns the language code ("de", "en").
func (l Lang) String() string {
	if l == EN {
		return "en"
	}
	return "de"
}

// Parse maps a language code ("de", "en", "de_DE.UTF-8", "en-GB") to a Lang; anything else is German.
func Parse(code string) Lang {
	if len(code) >= 2 && (code[:2] == "en" || code[:2] == "EN") {
		return EN
	}
	return DE
}

// catalog is written only by add during package init and read-only afterwards.
var (
	mu      sync.Mutex
	catalog = map[string][2]string{}
	current atomic.Int32
)

// add registers entries {key: {de, en}}. A duplicate key is a programming error and panics, so two
// files never silently disagree. Call it from init().
func add(m map[string][2]string) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("i18n: duplicate key " + k)
		}
		catalog[k] = v
	}
}

// SetLang switches the catalogue language for every later T call.
func SetLang(l Lang) { current.Store(int32(l)) }

// Current returns the active language.
func Current() Lang { return Lang(current.Load()) }

// T returns the text for key in the active language. An English gap falls back to German; an
// unknown key returns the key itself, so a missing entry is visible but never crashes a view.
func T(key string) string {
	v, ok := catalog[key] // read-only after init: no lock on the hot path
	if !ok {
		return key
	}
	if Current() == EN && v[1] != "" {
		return v[1]
	}
	return v[0]
}

// Tf is T followed by Sprintf with args (fmt.Sprintf plus the {singular|plural} forms, plural.go).
func Tf(key string, args ...any) string { return Sprintf(T(key), args...) }

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, ok := catalog[key]
	return ok
}

// Keys lists every catalogue key, sorted (for tests).
func Keys() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Entry returns the German and English text of key.
func Entry(key string) (de, en string, ok bool) {
	mu.Lock()
	defer mu.Unlock()
	v, ok := catalog[key]
	return v[0], v[1], ok
}
