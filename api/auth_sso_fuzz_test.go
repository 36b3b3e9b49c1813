package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzIdentityOfClaims feeds arbitrary ID-token claims (as the provider's JSON) to the
// reader of the person: it never panics, takes groups and amr only as strings, and an
// e-mail address only where the provider did not say it is unconfirmed.
func FuzzIdentityOfClaims(f *testing.F) {
	f.Add(`{"email":"anna@musterstadt.example","email_verified":true,"groups":["mdm-admins"],"amr":["pwd","mfa"],"acr":"1"}`)
	f.Add(`{"email":"anna@musterstadt.example","email_verified":false,"groups":"mdm-admins","amr":"mfa"}`)
	f.Add(`{"groups":[1,2,{"a":"b"}],"amr":null,"acr":7,"email":["x"]}`)
	f.Add(`{"groups":["\u0000","\ud800"],"email_verified":"yes"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, raw string) {
		var claims map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &claims) != nil {
			return
		}
		id := identityOf("https://id.example", "sub", claims, "groups")
		if string(bytes.TrimSpace(claims["email_verified"])) == "false" && id.Email != "" {
			t.Errorf("an unconfirmed address was taken: %q", id.Email)
		}
		for _, g := range append(id.Groups, id.AMR...) {
			if !utf8.ValidString(g) && json.Valid([]byte(raw)) {
				// JSON strings decode to valid UTF-8 (invalid ones become U+FFFD).
				t.Errorf("a claim value that is not text: %q", g)
			}
		}
	})
}
