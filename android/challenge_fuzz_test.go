package android_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
)

// A challenge request body is decoded without panicking, anything refused is invalid
// input, and an accepted ID is one that could travel in a URL or a log line unharmed.
func FuzzDecodeChallengeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"enterpriseSpecificId":"ESID0123456789ABCDEF","keyFingerprint":"` + strings.Repeat("ab", 32) + `"}`,
		`{"enterpriseSpecificId":"ESID0123456789ABCDEF"}`, `{"enterpriseSpecificId":""}`,
		`{"enterpriseSpecificId":"ESID0123456789"}{}`, `{"enterpriseSpecificId":"ESID0123456789","x":1}`,
		`{"enterpriseSpecificId":"a b c d e f"}`, `[]`, `{`, `null`, `{"enterpriseSpecificId":123456789}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := android.DecodeChallengeRequest(body)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("refused with %v, not as invalid input", err)
			}
			return
		}
		if id := req.EnterpriseSpecificID; len(id) < 8 || len(id) > 128 || strings.ContainsAny(id, " \"'\n\\<>") {
			t.Fatalf("accepted the ID %q", id)
		}
		if len(req.KeyFingerprint) != 64 || strings.Trim(req.KeyFingerprint, "0123456789abcdef") != "" {
			t.Fatalf("accepted the key fingerprint %q", req.KeyFingerprint)
		}
	})
}
