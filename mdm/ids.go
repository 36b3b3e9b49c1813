package mdm

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns a random identifier for a new row: 128 bits in lower-case base32, so that
// identifiers can be made on any replica without a central sequence.
func NewID() string {
	return strings.ToLower(randomBase32(16))
}

// randomBase32 returns n random bytes as upper-case base32 without padding. crypto/rand.Read
// never returns an error since Go 1.24, so there is none to handle.
func randomBase32(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32NoPad.EncodeToString(b)
}
