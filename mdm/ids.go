package mdm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"strings"
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns a random identifier for a new row: 128 bits in lower-case base32, so that
// identifiers can be made on any replica without a central sequence.
func NewID() string {
	return strings.ToLower(RandomBase32(16))
}

// RandomBase32 returns n random bytes as upper-case base32 without padding, the stuff of
// passwords, codes and tokens. crypto/rand.Read
// never returns an error since Go 1.24, so there is none to handle.
func RandomBase32(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32NoPad.EncodeToString(b)
}

// NewSecret returns a fresh bearer secret of 256 random bits, URL-safe (it travels in
// URLs: enrolment tokens, push endpoints), and the hash under which it is kept: the
// secret itself is never stored.
func NewSecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret returns the hash under which a bearer secret is kept and looked up.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
