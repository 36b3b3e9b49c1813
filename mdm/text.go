package mdm

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// checkText refuses free text that a form or JSON decoder may pass on from a hostile or
// broken client: bytes that are not UTF-8 (PostgreSQL would refuse them with an error
// that reads like a fault of the server), the replacement character a decoder leaves in
// their place, and NUL.
func checkText(field, s string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) || strings.ContainsRune(s, 0) {
		return Refuse("refusal.not_text", fmt.Errorf("%w: %s contains characters that are not text; type it again", ErrInvalid, field))
	}
	return nil
}
