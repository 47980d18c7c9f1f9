package server

import "crypto/tls"

// TLSConfig is the TLS configuration amt-server serves with when it terminates TLS itself:
// TLS 1.2 and 1.3 with the cipher suites and elliptic curves of BSI TR-02102-2 that Go
// implements. TLS 1.2 offers only ECDHE with AES-GCM (forward secrecy, AEAD: no CBC, no SHA-1,
// no RSA key exchange); the key exchange uses the NIST curves P-256, P-384 and P-521 (no X25519,
// which the TR does not list). Go does not let TLS 1.3 suites be chosen: it negotiates
// TLS_AES_128_GCM_SHA256 or TLS_AES_256_GCM_SHA384 (both in the TR) and, for a client that
// prefers it, TLS_CHACHA20_POLY1305_SHA256 (not in the TR; docs/betrieb.md says so).
func TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		},
		CurvePreferences: []tls.CurveID{tls.CurveP256, tls.CurveP384, tls.CurveP521},
	}
}
