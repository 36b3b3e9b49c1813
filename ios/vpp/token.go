package vpp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrMalformedToken is returned for a file that is not an Apps and Books content token.
var ErrMalformedToken = errors.New("not an Apps and Books content token (the .vpptoken file from Apple Business Manager)")

// maxTokenBytes bounds a content token file; Apple's are well under a kilobyte.
const maxTokenBytes = 16 << 10

// Token is a content token ("sToken") as Apple Business Manager hands it out: the whole
// file is the bearer credential, and it names the organisation and its expiry.
type Token struct {
	// SToken is the credential sent with every request: the file's content.
	SToken       string
	Organisation string
	ExpiresAt    time.Time
}

// tokenTimeLayout is how Apple writes the expiry in the token and in its answers.
const tokenTimeLayout = "2006-01-02T15:04:05-0700"

// ParseToken reads a .vpptoken file: base64 of a JSON object with the keys token, expDate
// and orgName. It does not check the expiry; see Token.Expired.
func ParseToken(file []byte) (Token, error) {
	if len(file) > maxTokenBytes {
		return Token{}, fmt.Errorf("%w: %d bytes is too large", ErrMalformedToken, len(file))
	}
	s := strings.TrimSpace(string(file))
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Token{}, fmt.Errorf("%w: not base64", ErrMalformedToken)
	}
	var body struct {
		Token   string `json:"token"`
		ExpDate string `json:"expDate"`
		OrgName string `json:"orgName"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return Token{}, fmt.Errorf("%w: %v", ErrMalformedToken, err)
	}
	if body.Token == "" || body.ExpDate == "" {
		return Token{}, fmt.Errorf("%w: token or expDate missing", ErrMalformedToken)
	}
	exp, err := parseTime(body.ExpDate)
	if err != nil {
		return Token{}, fmt.Errorf("%w: expDate %q", ErrMalformedToken, body.ExpDate)
	}
	return Token{SToken: s, Organisation: body.OrgName, ExpiresAt: exp}, nil
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// EncodeToken writes a content token file as Apple Business Manager does; the fake and
// tests make tokens with it.
func EncodeToken(secret, organisation string, expires time.Time) []byte {
	raw, _ := json.Marshal(map[string]string{"token": secret, "expDate": expires.UTC().Format(tokenTimeLayout), "orgName": organisation})
	return []byte(base64.StdEncoding.EncodeToString(raw))
}

// parseTime reads Apple's timestamps, which come with a numeric zone and, in some
// answers, in RFC 3339.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(tokenTimeLayout, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err
}
