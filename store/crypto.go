package store

import (
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Record format of every value in a data bucket:
//
//	0x01 | nonce (24 bytes) | XChaCha20-Poly1305 ciphertext+tag
//
// with associated data bucket name | 0x00 | key, so a ciphertext moved to another key or bucket
// fails to open.
const recordVersion = 1

const (
	nonceSize = chacha20poly1305.NonceSizeX
	keySize   = chacha20poly1305.KeySize
	// recordOverhead is the size added to a plaintext by seal.
	recordOverhead = 1 + nonceSize + chacha20poly1305.Overhead
)

// KeyringService is the OS keyring service name under which the key-encryption key is kept.
const KeyringService = "amt"

func recordAD(bucket, key []byte) []byte {
	ad := make([]byte, 0, len(bucket)+1+len(key))
	ad = append(ad, bucket...)
	ad = append(ad, 0)
	return append(ad, key...)
}

// seal encrypts plain for (bucket, key).
func seal(aead cipher.AEAD, bucket, key, plain []byte) []byte {
	out := make([]byte, 1+nonceSize, recordOverhead+len(plain))
	out[0] = recordVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		panic("store: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return aead.Seal(out, out[1:1+nonceSize], plain, recordAD(bucket, key))
}

// open decrypts a record of (bucket, key); any damage yields ErrCorrupt naming the bucket.
func open(aead cipher.AEAD, bucket, key, rec []byte) ([]byte, error) {
	return openInto(aead, nil, bucket, key, rec)
}

// openInto is open writing the plaintext into buf's storage (reused when large enough; the result
// aliases it). Callers that decode many records reuse one buffer instead of allocating per record.
func openInto(aead cipher.AEAD, buf, bucket, key, rec []byte) ([]byte, error) {
	if len(rec) < recordOverhead {
		return nil, fmt.Errorf("%w: bucket %s: record too short (%d bytes)", ErrCorrupt, bucket, len(rec))
	}
	if rec[0] != recordVersion {
		return nil, fmt.Errorf("%w: bucket %s: unknown record version %d", ErrCorrupt, bucket, rec[0])
	}
	var adBuf [64 + maxIDLen + maxDueLen]byte
	ad := append(append(append(adBuf[:0], bucket...), 0), key...)
	plain, err := aead.Open(buf[:0], rec[1:1+nonceSize], rec[1+nonceSize:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w: bucket %s: record fails authentication", ErrCorrupt, bucket)
	}
	return plain, nil
}

// keyMaterial is what the meta bucket holds to recover the data key. It holds no secret in clear.
type keyMaterial struct {
	// Passphrase wrap.
	KDF     string    `json:"kdf,omitempty"` // "argon2id"
	Salt    []byte    `json:"salt,omitempty"`
	Params  KDFParams `json:"params"`
	PassKey []byte    `json:"passKey,omitempty"` // data key sealed with the passphrase KEK
	// Keyring wrap.
	KeyringUser string `json:"keyringUser,omitempty"`
	KeyringKey  []byte `json:"keyringKey,omitempty"` // data key sealed with the keyring KEK
}

var (
	adWrap = []byte("amt data key v1")
)

// keyringUser is the keyring account of a cache dir: a hash, so the path is not exposed.
func keyringUser(dir string) string {
	h := sha256.Sum256([]byte(dir))
	return "cache-" + hex.EncodeToString(h[:16])
}

func deriveKEK(pass string, salt []byte, p KDFParams) []byte {
	return argon2.IDKey([]byte(pass), salt, p.Time, p.Memory, p.Threads, keySize)
}

func wrapKey(kek, dataKey []byte) ([]byte, error) {
	a, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	return seal(a, adWrap, nil, dataKey), nil
}

func unwrapKey(kek, wrapped []byte) ([]byte, error) {
	a, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	k, err := open(a, adWrap, nil, wrapped)
	if err != nil {
		return nil, err
	}
	if len(k) != keySize {
		return nil, fmt.Errorf("%w: data key has %d bytes", ErrCorrupt, len(k))
	}
	return k, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	return b
}

// newKeyMaterial creates a fresh data key and wraps it for the available unlock methods.
func newKeyMaterial(opts Options, dir string) (keyMaterial, []byte, error) {
	dataKey := randomBytes(keySize)
	var km keyMaterial
	switch {
	case opts.Passphrase != "":
		if err := km.addPassphrase(opts, dataKey); err != nil {
			return km, nil, err
		}
	case opts.UseKeyring:
		if err := km.addKeyring(dir, dataKey); err != nil {
			return km, nil, err
		}
	default:
		return km, nil, ErrNoKey
	}
	return km, dataKey, nil
}

func (km *keyMaterial) addPassphrase(opts Options, dataKey []byte) error {
	p := DefaultKDF
	if opts.KDF != nil {
		p = *opts.KDF
	}
	if p.Time == 0 || p.Memory < 8 || p.Threads == 0 {
		return fmt.Errorf("%w: KDF parameters %+v", ErrInvalid, p)
	}
	km.KDF = "argon2id"
	km.Salt = randomBytes(16)
	km.Params = p
	w, err := wrapKey(deriveKEK(opts.Passphrase, km.Salt, p), dataKey)
	if err != nil {
		return err
	}
	km.PassKey = w
	return nil
}

// addKeyring wraps dataKey with the keyring's key-encryption key for dir. An existing entry is
// reused, never replaced: the account is derived from the dir, so a cache moved aside there
// (MoveAside) is still locked by it, and each cache has its own data key anyway. An entry that is
// not a key amt wrote is left alone and reported as ErrNoKey.
func (km *keyMaterial) addKeyring(dir string, dataKey []byte) error {
	user := keyringUser(dir)
	var kek []byte
	switch enc, err := keyring.Get(KeyringService, user); {
	case err == nil:
		k, derr := base64.StdEncoding.DecodeString(enc)
		if derr != nil || len(k) != keySize {
			return fmt.Errorf("%w: the keyring entry for this cache dir (service %q, account %q) is not a key amt can use; it is left unchanged; set AMT_PASSPHRASE", ErrNoKey, KeyringService, user)
		}
		kek = k
	case errors.Is(err, keyring.ErrNotFound):
		kek = randomBytes(keySize)
		if err := keyring.Set(KeyringService, user, base64.StdEncoding.EncodeToString(kek)); err != nil {
			return fmt.Errorf("%w: %v", ErrNoKey, err)
		}
	default:
		return fmt.Errorf("%w: %v", ErrNoKey, err)
	}
	w, err := wrapKey(kek, dataKey)
	if err != nil {
		return err
	}
	km.KeyringUser = user
	km.KeyringKey = w
	return nil
}

// unlock recovers the data key. It reports whether km changed (a passphrase wrap was added to a
// keyring-only cache, so AMT_PASSPHRASE works later where the keyring is missing).
func (km *keyMaterial) unlock(opts Options) (dataKey []byte, changed bool, err error) {
	var passErr error
	if opts.Passphrase != "" && len(km.PassKey) > 0 {
		if km.KDF != "argon2id" {
			return nil, false, fmt.Errorf("%w: unknown KDF %q", ErrCorrupt, km.KDF)
		}
		p := km.Params
		if p.Time == 0 || p.Time > 64 || p.Memory < 8 || p.Memory > 1<<20 || p.Threads == 0 {
			return nil, false, fmt.Errorf("%w: implausible KDF parameters %+v", ErrCorrupt, p)
		}
		k, err := unwrapKey(deriveKEK(opts.Passphrase, km.Salt, p), km.PassKey)
		if err == nil {
			return k, false, nil
		}
		passErr = ErrWrongPassphrase
	}
	if opts.UseKeyring && len(km.KeyringKey) > 0 {
		enc, err := keyring.Get(KeyringService, km.KeyringUser)
		if err == nil {
			kek, derr := base64.StdEncoding.DecodeString(enc)
			if derr == nil && len(kek) == keySize {
				if k, err := unwrapKey(kek, km.KeyringKey); err == nil {
					if opts.Passphrase != "" && len(km.PassKey) == 0 {
						if err := km.addPassphrase(opts, k); err != nil {
							return nil, false, err
						}
						return k, true, nil
					}
					return k, false, nil
				}
			}
			if passErr == nil {
				return nil, false, fmt.Errorf("%w: the keyring entry does not unlock this cache; set AMT_PASSPHRASE", ErrNoKey)
			}
		} else if passErr == nil && !errors.Is(err, keyring.ErrNotFound) && opts.Passphrase == "" {
			return nil, false, fmt.Errorf("%w: %v", ErrNoKey, err)
		}
	}
	if passErr != nil {
		return nil, false, passErr
	}
	if opts.Passphrase != "" && len(km.PassKey) == 0 {
		return nil, false, fmt.Errorf("%w: this cache is locked with the OS keyring, which is not available", ErrNoKey)
	}
	return nil, false, ErrNoKey
}

func (km keyMaterial) marshal() []byte {
	b, _ := json.Marshal(km)
	return b
}
