package fitconnect

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// MinKeyBits is the smallest RSA key FIT-Connect allows (the published JWK schema requires a
// modulus of at least 683 base64url characters).
const MinKeyBits = 4096

// Media types.
const (
	ContentTypeJOSE = "application/jose"
	ContentTypeJSON = "application/json"
)

var compactJWE = regexp.MustCompile(`^[a-zA-Z0-9\-_=]+(\.[a-zA-Z0-9\-_=]*){4}$`)

// IsCompactJWE reports whether s has the syntax of a JWE in compact serialisation (five
// base64url segments).
func IsCompactJWE(s string) bool { return compactJWE.MatchString(s) }

// AuthTag returns the authentication tag of a compact JWE: its fifth segment.
func AuthTag(jwe string) string {
	i := strings.LastIndexByte(jwe, '.')
	if i < 0 {
		return ""
	}
	return jwe[i+1:]
}

// Encrypt encrypts plaintext to an RSA public key as a compact JWE with RSA-OAEP-256 and A256GCM,
// the key's kid and the plaintext's media type as cty.
func Encrypt(pub *rsa.PublicKey, kid, cty string, plaintext []byte) (string, error) {
	return encrypt(pub, kid, cty, plaintext, false)
}

// EncryptDeflate is Encrypt with "zip": "DEF" (as older senders do; receivers must tolerate it).
func EncryptDeflate(pub *rsa.PublicKey, kid, cty string, plaintext []byte) (string, error) {
	return encrypt(pub, kid, cty, plaintext, true)
}

func encrypt(pub *rsa.PublicKey, kid, cty string, plaintext []byte, deflate bool) (string, error) {
	opts := &jose.EncrypterOptions{}
	if cty != "" {
		opts.WithContentType(jose.ContentType(cty))
	}
	if deflate {
		opts.Compression = jose.DEFLATE
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: pub, KeyID: kid}, opts)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plaintext)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Decrypt opens a compact JWE (RSA-OAEP-256 + A256GCM; "zip": "DEF" tolerated) with the first of
// keys that fits. The kid is not relied on (older senders set a thumbprint). It returns the
// plaintext and the cty header.
func Decrypt(keys []*rsa.PrivateKey, jwe string) ([]byte, string, error) {
	obj, err := jose.ParseEncryptedCompact(jwe, []jose.KeyAlgorithm{jose.RSA_OAEP_256}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, "", err
	}
	cty, _ := obj.Header.ExtraHeaders[jose.HeaderContentType].(string)
	var last error = errors.New("no decryption key")
	for _, k := range keys {
		pt, err := obj.Decrypt(k)
		if err == nil {
			return pt, cty, nil
		}
		last = err
	}
	return nil, cty, last
}

// SHA512Hex is the lower-case hex SHA-512 of b, as metadata carries it.
func SHA512Hex(b []byte) string {
	s := sha512.Sum512(b)
	return hex.EncodeToString(s[:])
}

// SET is a Security Event Token of the event log.
type SET struct {
	Schema string                     `json:"$schema,omitempty"`
	JTI    string                     `json:"jti"`
	Iss    string                     `json:"iss"`
	Iat    int64                      `json:"iat"`
	Sub    string                     `json:"sub"`
	Txn    string                     `json:"txn"`
	Events map[string]json.RawMessage `json:"events"`

	// Kid is the signing key's id from the header (not part of the payload).
	Kid string `json:"-"`
}

// Event returns the token's single event URI and payload.
func (s *SET) Event() (string, json.RawMessage) {
	for k, v := range s.Events {
		return k, v
	}
	return "", nil
}

// EventPayload is the payload of accept, reject and submit events.
type EventPayload struct {
	AuthenticationTags *AuthenticationTags `json:"authenticationTags,omitempty"`
	Problems           []Problem           `json:"problems,omitempty"`
}

// NewSET builds the claims of an event about a submission.
func NewSET(iss, submissionID, caseID, event string, payload any, now time.Time) (*SET, error) {
	raw := json.RawMessage(`{}`)
	schema := ""
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		raw, schema = b, SETPayloadSchema
	}
	return &SET{Schema: schema, JTI: NewUUID(), Iss: iss, Iat: now.Unix(), Sub: "submission:" + submissionID,
		Txn: "case:" + caseID, Events: map[string]json.RawMessage{event: raw}}, nil
}

// SignSET signs the token with PS512, typ secevent+jwt and the kid.
func SignSET(key *rsa.PrivateKey, kid string, s *SET) (string, error) {
	payload, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.PS512, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("secevent+jwt"))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// KeyFunc finds the public key for a token's issuer and kid.
type KeyFunc func(iss, kid string) (*rsa.PublicKey, error)

// ParseSET verifies a SET: PS512, typ secevent+jwt, a kid, the signature by the key keyFn finds
// for (iss, kid), the required claims and exactly one event.
func ParseSET(token string, keyFn KeyFunc) (*SET, error) {
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.PS512})
	if err != nil {
		return nil, fmt.Errorf("SET: %w", err)
	}
	if len(obj.Signatures) != 1 {
		return nil, errors.New("SET: not exactly one signature")
	}
	h := obj.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "secevent+jwt" {
		return nil, fmt.Errorf("SET: typ %q, want secevent+jwt", typ)
	}
	if h.KeyID == "" {
		return nil, errors.New("SET: no kid")
	}
	var claims SET
	if err := json.Unmarshal(obj.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return nil, fmt.Errorf("SET payload: %w", err)
	}
	pub, err := keyFn(claims.Iss, h.KeyID)
	if err != nil {
		return nil, fmt.Errorf("SET key %s of %s: %w", h.KeyID, claims.Iss, err)
	}
	if _, err := obj.Verify(pub); err != nil {
		return nil, fmt.Errorf("SET signature: %w", err)
	}
	switch {
	case claims.JTI == "" || claims.Iss == "" || claims.Iat == 0:
		return nil, errors.New("SET: jti, iss or iat missing")
	case !strings.HasPrefix(claims.Sub, "submission:") && !strings.HasPrefix(claims.Sub, "reply:"):
		return nil, fmt.Errorf("SET: sub %q", claims.Sub)
	case !strings.HasPrefix(claims.Txn, "case:"):
		return nil, fmt.Errorf("SET: txn %q", claims.Txn)
	case len(claims.Events) != 1:
		return nil, fmt.Errorf("SET: %d events, want exactly one", len(claims.Events))
	}
	claims.Kid = h.KeyID
	return &claims, nil
}

// CallbackMAC is the callback-authentication value: lower-case hex HMAC-SHA-512 with the
// callback secret over timestamp + "." + body.
func CallbackMAC(secret, timestamp string, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// CallbackWindow is how old a callback's timestamp may be.
const CallbackWindow = 5 * time.Minute

// VerifyCallback checks a callback's headers against the body: the timestamp (Unix seconds) not
// older than CallbackWindow (nor further in the future), and the MAC, compared in constant time.
func VerifyCallback(secret, timestamp, mac string, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("callback-timestamp is no Unix time")
	}
	at := time.Unix(ts, 0)
	if now.Sub(at) > CallbackWindow || at.Sub(now) > CallbackWindow {
		return errors.New("callback-timestamp outside the 5-minute window")
	}
	want := CallbackMAC(secret, timestamp, body)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(mac)), []byte(want)) != 1 {
		return errors.New("callback-authentication does not match")
	}
	return nil
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a UUID string (32 to 36 characters).
func ValidUUID(s string) bool { return uuidRE.MatchString(s) }

// Key is an RSA key with its kid and a self-signed certificate (x5c), as destinations publish
// them.
type Key struct {
	Kid     string
	Private *rsa.PrivateKey
	Cert    []byte // DER
}

// NewKey generates an RSA key of bits with a self-signed certificate for commonName.
func NewKey(bits int, kid, commonName string) (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	return KeyFrom(priv, kid, commonName)
}

// KeyFrom wraps an existing RSA key with a fresh self-signed certificate.
func KeyFrom(priv *rsa.PrivateKey, kid, commonName string) (*Key, error) {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: commonName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	return &Key{Kid: kid, Private: priv, Cert: der}, nil
}

// PublicJWK is the key's public JWK as FIT-Connect publishes it: kty RSA, alg (RSA-OAEP-256 or
// PS512), key_ops (wrapKey or verify), x5c, kid, n, e.
func (k *Key) PublicJWK(alg string) map[string]any {
	op := "wrapKey"
	if alg == string(jose.PS512) {
		op = "verify"
	}
	j := jose.JSONWebKey{Key: &k.Private.PublicKey, KeyID: k.Kid}
	b, _ := j.MarshalJSON()
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["alg"] = alg
	m["key_ops"] = []string{op}
	m["x5c"] = []string{encodeStd(k.Cert)}
	return m
}

// ParsePublicJWK reads an RSA public JWK and checks the FIT-Connect rules: kty RSA, the expected
// alg, e = AQAB and at least MinKeyBits (minBits, when > 0, replaces that).
func ParsePublicJWK(b []byte, alg string, minBits int) (*rsa.PublicKey, string, error) {
	var raw struct {
		Alg    string   `json:"alg"`
		KeyOps []string `json:"key_ops"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, "", err
	}
	var j jose.JSONWebKey
	if err := j.UnmarshalJSON(b); err != nil {
		return nil, "", err
	}
	pub, ok := j.Key.(*rsa.PublicKey)
	if !ok {
		return nil, "", errors.New("not an RSA public key")
	}
	if alg != "" && raw.Alg != alg {
		return nil, "", fmt.Errorf("key alg %q, want %s", raw.Alg, alg)
	}
	if minBits <= 0 {
		minBits = MinKeyBits
	}
	if pub.N.BitLen() < minBits {
		return nil, "", fmt.Errorf("key has %d bits, at least %d required", pub.N.BitLen(), minBits)
	}
	if pub.E != 65537 {
		return nil, "", errors.New("key exponent is not AQAB")
	}
	return pub, j.KeyID, nil
}

// PrivateJWK is the key's private JWK (for key files).
func (k *Key) PrivateJWK() ([]byte, error) {
	return jose.JSONWebKey{Key: k.Private, KeyID: k.Kid}.MarshalJSON()
}

// ParsePrivateJWK reads an RSA private JWK (a key file) and its kid.
func ParsePrivateJWK(b []byte) (*rsa.PrivateKey, string, error) {
	var j jose.JSONWebKey
	if err := j.UnmarshalJSON(b); err != nil {
		return nil, "", err
	}
	priv, ok := j.Key.(*rsa.PrivateKey)
	if !ok {
		return nil, "", errors.New("not an RSA private key")
	}
	return priv, j.KeyID, nil
}

func encodeStd(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
