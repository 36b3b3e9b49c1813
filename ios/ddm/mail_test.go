package ddm_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
	"github.com/trennwand/trennwand/mdm"
)

// withMail is mailPolicy with a work mail account of the kind, set up for Erika.
func withMail(kind mdm.MailKind, fullName string) ddm.Policy {
	p := mailPolicy()
	account := mdm.MailAccount{Kind: kind, Name: "Rathaus", Host: "mail.musterstadt.de"}
	if err := account.Validate(); err != nil {
		panic(err)
	}
	p.Mail = &ddm.Mail{Account: account, FullName: fullName, Email: "erika@musterstadt.de",
		IdentityURL: "https://mdm.musterstadt.de/mdm/ddm/mail-identity"}
	return p
}

// payloadOf decodes the payload of the set's declaration.
func payloadOf(t *testing.T, s ddm.Set, kind, id string) map[string]any {
	t.Helper()
	d, ok := s.Declaration(kind, id)
	if !ok {
		t.Fatalf("the set has no %s %s", kind, id)
	}
	var out map[string]any
	if err := json.Unmarshal(d.Payload, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// An Exchange account is activated with the employee's address and name from the
// useridentity asset and signs in with the certificate of the SCEP asset, whose document
// the phone fetches from the platform with its MDM authentication; the set itself holds
// no challenge.
func TestAnExchangeAccountSignsInWithTheSCEPCertificate(t *testing.T) {
	s := build(t, withMail(mdm.MailExchange, "Erika Mustermann"))
	account := payloadOf(t, s, "configuration", ddm.MailIdentifier)
	if account["HostName"] != "mail.musterstadt.de" || account["UserIdentityAssetReference"] != ddm.MailUserIdentifier ||
		account["AuthenticationIdentityAssetReference"] != ddm.MailIdentityIdentifier {
		t.Errorf("account %v", account)
	}
	if user := payloadOf(t, s, "asset", ddm.MailUserIdentifier); user["EmailAddress"] != "erika@musterstadt.de" || user["FullName"] != "Erika Mustermann" {
		t.Errorf("user identity %v", user)
	}
	asset := payloadOf(t, s, "asset", ddm.MailIdentityIdentifier)
	ref, _ := asset["Reference"].(map[string]any)
	if ref["DataURL"] != "https://mdm.musterstadt.de/mdm/ddm/mail-identity" || ref["ContentType"] != "application/json" {
		t.Errorf("SCEP asset %v", asset)
	}
	if raw, _ := json.Marshal(s); strings.Contains(string(raw), "Challenge") {
		t.Error("the set holds a challenge")
	}
	var activation struct{ StandardConfigurations []string }
	act, _ := s.Declaration("activation", "trennwand.activation")
	if err := json.Unmarshal(act.Payload, &activation); err != nil || !slices.Contains(activation.StandardConfigurations, ddm.MailIdentifier) {
		t.Errorf("the activation does not list the account: %s", act.Payload)
	}
}

// An IMAP account names both servers with their ports and signs in with the password
// the employee enters: Apple's account.mail has no key for a client certificate, so there
// is no SCEP asset.
func TestAnIMAPAccountHasBothServersAndNoCertificate(t *testing.T) {
	s := build(t, withMail(mdm.MailIMAP, ""))
	account := payloadOf(t, s, "configuration", ddm.MailIdentifier)
	in, _ := account["IncomingServer"].(map[string]any)
	out, _ := account["OutgoingServer"].(map[string]any)
	if in["HostName"] != "mail.musterstadt.de" || in["Port"] != float64(mdm.DefaultIMAPPort) || out["Port"] != float64(mdm.DefaultSMTPPort) {
		t.Errorf("account %v", account)
	}
	if _, ok := s.Declaration("asset", ddm.MailIdentityIdentifier); ok {
		t.Error("an IMAP account got a SCEP asset")
	}
	if user := payloadOf(t, s, "asset", ddm.MailUserIdentifier); len(user) != 1 {
		t.Errorf("an employee without a name: user identity %v, want the address alone", user)
	}
}

// The same policy for the same employee always makes the same set, so that a phone never
// syncs for nothing; another employee's set differs in the user identity alone, and a
// renamed account changes the account's declaration alone.
func TestTheMailAccountKeepsItsTokens(t *testing.T) {
	a := build(t, withMail(mdm.MailExchange, "Erika Mustermann"))
	if b := build(t, withMail(mdm.MailExchange, "Erika Mustermann")); a.Token != b.Token {
		t.Fatalf("the same policy made two sets: %s / %s", a.Token, b.Token)
	}
	changed := func(p ddm.Policy) []string {
		before, after := tokens(a), tokens(build(t, p))
		var out []string
		for id, tok := range after {
			if before[id] != tok {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	if got := changed(withMail(mdm.MailExchange, "Hans Meier")); !slices.Equal(got, []string{ddm.MailUserIdentifier}) {
		t.Errorf("another employee changed %v, want the user identity alone", got)
	}
	renamed := withMail(mdm.MailExchange, "Erika Mustermann")
	renamed.Mail.Account.Name = "Rathaus Musterstadt"
	if got := changed(renamed); !slices.Equal(got, []string{ddm.MailIdentifier}) {
		t.Errorf("the rename changed %v, want the account alone", got)
	}
}

// The document the SCEP asset points to is a com.apple.credential.scep that Apple's schema
// takes on a User Enrolment.
func TestTheSCEPDocumentIsAppleSchemas(t *testing.T) {
	doc, err := ddm.SCEPDocument("https://mdm.musterstadt.de/scep/devices", "ABCDEF")
	if err != nil {
		t.Fatal(err)
	}
	if err := ddmschema.CheckCredential(ddm.CredentialSCEP, doc, true); err != nil {
		t.Error(err)
	}
}
