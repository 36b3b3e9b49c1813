package access

import (
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// APIToken lets a script or another system call the JSON API with one role, in one tenant
// (or, for the provider role, in none). The token itself is shown once, when it is made;
// only its SHA-256 is kept, so a copy of the database lets nobody call the API.
type APIToken struct {
	ID         string
	TenantID   *string // nil for the provider role
	Name       string
	Role       mdm.Role
	Hash       []byte
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Active reports whether the token may be used at now.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// tokenPrefix marks trennwand API tokens, so that secret scanners and people recognise one.
const tokenPrefix = "twk_"

// DefaultTokenValidity is how long a token lives unless its creator says otherwise.
const DefaultTokenValidity = 365 * 24 * time.Hour

// newTokenSecret returns a fresh token of 160 random bits and the hash it is kept under.
func newTokenSecret() (token string, hash []byte) {
	token = tokenPrefix + strings.ToLower(mdm.RandomBase32(20))
	return token, mdm.HashSecret(token)
}

// ParseToken checks the form of a token presented by a caller, before any lookup.
func ParseToken(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok || len(rest) != 32 || strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return "", fmt.Errorf("%w: not a trennwand API token", mdm.ErrInvalid)
	}
	return s, nil
}

// TokenRequest says what a new token may do.
type TokenRequest struct {
	Name     string
	Role     mdm.Role
	Validity time.Duration // zero: DefaultTokenValidity
}
