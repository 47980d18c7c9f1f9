package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

func subtleEq(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

func decodeB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
