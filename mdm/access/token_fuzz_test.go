package access

import "testing"

// Whatever a client sends as a token, parsing answers without panicking, and what it
// accepts is the token unchanged.
func FuzzParseToken(f *testing.F) {
	tok, _ := newTokenSecret()
	for _, s := range []string{"", tok, "twk_", "Bearer " + tok, tok + "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, err := ParseToken(s); err == nil && got != s {
			t.Errorf("ParseToken(%q) changed the token to %q", s, got)
		}
	})
}
