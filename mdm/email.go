package mdm

import (
	"fmt"
	"net/mail"
	"strings"
)

// NormalizeEmail checks that s is a plain e-mail address (no display name) and returns it
// trimmed and in lower case, the form in which addresses are stored and compared.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || len(s) > 254 || checkText("", s) != nil {
		return "", Refuse("refusal.email", fmt.Errorf("%w: %q is not an e-mail address", ErrInvalid, s), "Address", s)
	}
	return strings.ToLower(s), nil
}
