package pki

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// MasterKey seals secrets (CA keys, second-factor secrets, platform credentials) before
// they are stored, with AES-256-GCM. The key lives outside the database, so a copy of the
// database alone reveals no secret.
type MasterKey struct {
	aead cipher.AEAD
	raw  []byte
}

// masterKeyVersion is the first byte of every sealed value, so that the format can change
// later without guessing.
const masterKeyVersion = 1

// ParseMasterKey reads a master key written as 32 bytes in standard base64.
func ParseMasterKey(s string) (*MasterKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != 32 {
		return nil, errors.New("a master key is 32 random bytes in base64 (make one with: openssl rand -base64 32)")
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &MasterKey{aead: aead, raw: raw}, nil
}

// LoadOrCreateMasterKeyFile reads the master key from path, or creates a new one there
// with mode 0600 when the file does not exist. created says which happened.
func LoadOrCreateMasterKeyFile(path string) (key *MasterKey, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw := make([]byte, 32)
		_, _ = rand.Read(raw)
		text := base64.StdEncoding.EncodeToString(raw)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("create master key file: %w", err)
		}
		if _, err := f.WriteString(text + "\n"); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write master key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write master key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, false, fmt.Errorf("write master key file: %w", err)
		}
		key, err := ParseMasterKey(text)
		return key, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("read master key file: %w", err)
	}
	key, err = ParseMasterKey(string(b))
	if err != nil {
		return nil, false, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, false, nil
}

// Seal encrypts plaintext for the given purpose.
func (k *MasterKey) Seal(purpose string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := append([]byte{masterKeyVersion}, nonce...)
	return k.aead.Seal(out, nonce, plaintext, []byte(purpose)), nil
}

// Open decrypts a value sealed for the given purpose. It fails when the value was sealed
// with another key or for another purpose, or was changed.
func (k *MasterKey) Open(purpose string, sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != masterKeyVersion {
		return nil, errors.New("not a sealed value of this installation")
	}
	plain, err := k.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(purpose))
	if err != nil {
		return nil, errors.New("cannot open sealed value: wrong master key, wrong purpose, or changed data")
	}
	return plain, nil
}

// DeriveKey returns a 32-byte key for one purpose, derived from the master key with HKDF
// (SHA-256): a key for something other than sealing single values (a backup's encryption,
// for example) that never exposes the master key itself.
func (k *MasterKey) DeriveKey(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.raw, nil, "trennwand "+purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce; 32 bytes it always can
	}
	return out
}
