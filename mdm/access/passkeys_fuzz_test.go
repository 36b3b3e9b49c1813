package access_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// seedAnswers are a real registration and check of the software key, for the fuzzers to
// start from.
func seedAnswers(f *testing.F) (created, asserted string) {
	key := newSoftKey(f, "mdm.musterstadt.example", sameOrigin)
	opts := map[string]any{"publicKey": map[string]any{"challenge": "Y2hhbGxlbmdlLW9mLTMyLWJ5dGVzLWZvci10aGUtZnV6emVy",
		"user": map[string]any{"id": "YWRtaW4"}}}
	return key.create(opts), key.get(opts)
}

// Whatever a browser sends as a passkey registration, the parser answers with a
// registration or ErrInvalid, never a panic or another error; a name it accepts is
// trimmed text of 1 to 100 characters.
func FuzzParseRegistration(f *testing.F) {
	created, asserted := seedAnswers(f)
	f.Add("Laptop", created)
	f.Add("  Büro  ", asserted)
	f.Add("", "{}")
	f.Add("x", `{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`)
	f.Fuzz(func(t *testing.T, name, credential string) {
		r, err := access.ParseRegistration(name, credential)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("error that is not ErrInvalid: %v", err)
			}
			return
		}
		if r.Name != strings.TrimSpace(r.Name) || r.Name == "" || utf8.RuneCountInString(r.Name) > 100 || !utf8.ValidString(r.Name) {
			t.Fatalf("accepted the name %q", r.Name)
		}
	})
}

// Whatever a browser sends as a passkey check, the parser answers with an assertion or
// ErrInvalid, never a panic or another error.
func FuzzParseAssertion(f *testing.F) {
	created, asserted := seedAnswers(f)
	f.Add(asserted)
	f.Add(created)
	f.Add(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"","signature":""}}`)
	f.Fuzz(func(t *testing.T, credential string) {
		if _, err := access.ParseAssertion(credential); err != nil && !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("error that is not ErrInvalid: %v", err)
		}
	})
}
