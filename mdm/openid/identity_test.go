package openid_test

import (
	"encoding/json"
	"testing"

	"github.com/trennwand/trennwand/mdm/openid"
)

// An identity names an invited employee by the e-mail address in any case, and a person
// from the directory also by the directory's ID in the subject or Entra ID's oid; an
// address the provider calls unverified names nobody.
func TestAnIdentityNamesTheInvitedEmployee(t *testing.T) {
	cases := []struct {
		name              string
		subject, claims   string
		email, externalID string
		names             bool
	}{
		{"the same address", "s1", `{"email":"anna.bauer@musterstadt.example"}`, "anna.bauer@musterstadt.example", "", true},
		{"the address in other letters", "s1", `{"email":"Anna.Bauer@Musterstadt.EXAMPLE"}`, "anna.bauer@musterstadt.example", "", true},
		{"another address", "s1", `{"email":"otto@musterstadt.example"}`, "anna.bauer@musterstadt.example", "", false},
		{"an unverified address", "s1", `{"email":"anna.bauer@musterstadt.example","email_verified":false}`, "anna.bauer@musterstadt.example", "", false},
		{"no address", "s1", `{}`, "anna.bauer@musterstadt.example", "", false},
		{"an address that is no string", "s1", `{"email":["anna.bauer@musterstadt.example"]}`, "anna.bauer@musterstadt.example", "", false},
		{"the directory's ID as subject", "guid-1", `{"email":"a.bauer@rathaus.example"}`, "anna.bauer@musterstadt.example", "guid-1", true},
		{"the directory's ID as oid", "pairwise", `{"oid":"guid-1"}`, "anna.bauer@musterstadt.example", "guid-1", true},
		{"another directory ID", "guid-2", `{"oid":"guid-3"}`, "anna.bauer@musterstadt.example", "guid-1", false},
		{"no directory ID to compare", "", `{}`, "anna.bauer@musterstadt.example", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := openid.Identity{Issuer: "https://id.musterstadt.example", Subject: c.subject}
			if err := json.Unmarshal([]byte(c.claims), &id.Claims); err != nil {
				t.Fatal(err)
			}
			if got := id.Names(c.email, c.externalID); got != c.names {
				t.Errorf("Names(%q, %q) = %v, want %v", c.email, c.externalID, got, c.names)
			}
		})
	}
}
