package android

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// Whatever Google answers to webTokens.create, the platform takes a token value only from
// an answer that names a token of the enterprise asked for, and the value stays one query
// parameter of the iframe's address.
func FuzzCheckWebToken(f *testing.F) {
	const enterprise = "enterprises/LC01"
	for _, seed := range []string{
		`{"name":"enterprises/LC01/webTokens/W1","value":"WTABC"}`, `{"name":"enterprises/LC02/webTokens/W1","value":"x"}`,
		`{"name":"enterprises/LC01/webTokens/","value":"x"}`, `{"name":"enterprises/LC01/webTokens/W","value":"a b&c"}`, `{}`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		var tok *amapi.WebToken
		if json.Unmarshal(answer, &tok) != nil {
			return
		}
		value, err := checkWebToken(enterprise, tok)
		if err != nil {
			return
		}
		if !strings.HasPrefix(tok.Name, enterprise+"/webTokens/") {
			t.Fatalf("a token of %q was taken for %s", tok.Name, enterprise)
		}
		q, err := url.ParseQuery(url.Values{"token": {value}, "mode": {"SELECT"}}.Encode())
		if err != nil || q.Get("token") != value || len(q) != 2 {
			t.Fatalf("the value %q does not stay one parameter: %v", value, q)
		}
	})
}

// The parent frame comes from the console's caller: whatever it says, the platform sends
// Google an https origin or refuses it as invalid input.
func FuzzParentOrigin(f *testing.F) {
	for _, seed := range []string{"https://mdm.example", "https://MDM.example:8443/", "http://mdm.example", "https://a@b", "https://x/y", "javascript:alert(1)", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		origin, err := ParentOrigin(raw)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("%q refused with %v, not as invalid input", raw, err)
			}
			return
		}
		u, err := url.Parse(origin)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q gave %q, which is no https origin", raw, origin)
		}
	})
}
