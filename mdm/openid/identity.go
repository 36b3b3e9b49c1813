package openid

import (
	"encoding/json"
	"strings"
)

// Identity is the person a verified ID token names: the issuer and subject, and the
// token's claims as the provider wrote them. A claim of another shape than asked for
// counts as missing.
type Identity struct {
	Issuer, Subject string
	Claims          map[string]json.RawMessage
}

// String returns a claim that is one string; "" when it is missing or of another shape.
func (id Identity) String(name string) string {
	var s string
	_ = json.Unmarshal(id.Claims[name], &s)
	return s
}

// Strings returns a claim that is a list of strings or one string.
func (id Identity) Strings(name string) []string {
	raw := id.Claims[name]
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	if one := id.String(name); one != "" {
		return []string{one}
	}
	return nil
}

// Email returns the e-mail address the token names, unless the provider says it is not
// verified; a provider that does not say vouches for it.
func (id Identity) Email() string {
	var verified *bool
	_ = json.Unmarshal(id.Claims["email_verified"], &verified)
	if verified != nil && !*verified {
		return ""
	}
	return id.String("email")
}

// Names reports whether the identity is the person with the e-mail address (compared
// without regard to case) or, when externalID is given, the person the directory knows
// by that ID: the token's subject, or Entra ID's object ID (oid), which its SCIM
// provisioning sends as the external ID.
func (id Identity) Names(email, externalID string) bool {
	if got := strings.TrimSpace(id.Email()); got != "" && email != "" && strings.EqualFold(got, strings.TrimSpace(email)) {
		return true
	}
	if externalID == "" {
		return false
	}
	return id.Subject == externalID || id.String("oid") == externalID
}
