package ddm

import (
	"encoding/json"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
)

// The declaration types of the work mail account.
const (
	TypeAccountExchange = "com.apple.configuration.account.exchange"
	TypeAccountMail     = "com.apple.configuration.account.mail"
	TypeUserIdentity    = "com.apple.asset.useridentity"
	TypeSCEPCredential  = "com.apple.asset.credential.scep"
)

// The identifiers of the mail account's declarations.
const (
	MailIdentifier         = identifierPrefix + "mail"
	MailUserIdentifier     = identifierPrefix + "mail.user"
	MailIdentityIdentifier = identifierPrefix + "mail.identity"
)

// CredentialSCEP is the type of the document at the SCEP asset's DataURL.
const CredentialSCEP = "com.apple.credential.scep"

// Mail is the work mail account of a set: the policy's account, set up for one employee.
type Mail struct {
	Account mdm.MailAccount
	// FullName and Email are the employee's, from the employee's record: the useridentity
	// asset gives them to the account, so that nobody types them per phone.
	FullName, Email string
	// IdentityURL is where the phone fetches the SCEP document of the certificate an
	// Exchange account signs in with (the platform serves it, with a one-time challenge).
	IdentityURL string
}

// addMail adds the account's declarations to the set and returns the identifier of its
// configuration, which the activation lists. An Exchange account signs in with a
// certificate of the installation's CA, which the phone requests itself over SCEP (the
// credential.scep asset); Apple's account.mail has no key for a client certificate, so an
// IMAP account signs in with the password the employee enters on the phone.
//
// Every declaration's content is fixed by the policy and the employee: the SCEP asset
// names the document's URL, not its challenge, which the phone gets from the URL when it
// fetches the asset. So an unchanged policy keeps its token, and a challenge is never in a
// set that many phones could read.
func (s *Set) addMail(m Mail) (string, error) {
	user := map[string]any{}
	if m.FullName != "" {
		user["FullName"] = m.FullName
	}
	if m.Email != "" {
		user["EmailAddress"] = m.Email
	}
	if err := s.add(TypeUserIdentity, MailUserIdentifier, user); err != nil {
		return "", err
	}
	a := m.Account
	switch a.Kind {
	case mdm.MailExchange:
		asset := map[string]any{
			"Reference":      map[string]any{"DataURL": m.IdentityURL, "ContentType": "application/json"},
			"Authentication": map[string]any{"Type": "MDM"},
		}
		if err := s.add(TypeSCEPCredential, MailIdentityIdentifier, asset); err != nil {
			return "", err
		}
		return MailIdentifier, s.add(TypeAccountExchange, MailIdentifier, map[string]any{
			"VisibleName": a.Name, "EnabledProtocolTypes": []string{"EAS"}, "HostName": a.Host,
			"UserIdentityAssetReference":           MailUserIdentifier,
			"AuthenticationIdentityAssetReference": MailIdentityIdentifier,
		})
	case mdm.MailIMAP:
		return MailIdentifier, s.add(TypeAccountMail, MailIdentifier, map[string]any{
			"VisibleName": a.Name, "UserIdentityAssetReference": MailUserIdentifier,
			"IncomingServer": map[string]any{"ServerType": "IMAP", "HostName": a.Host, "Port": a.Port, "AuthenticationMethod": "Password"},
			"OutgoingServer": map[string]any{"HostName": a.SMTPHost, "Port": a.SMTPPort, "AuthenticationMethod": "Password"},
		})
	}
	return "", fmt.Errorf("mail account of kind %q", a.Kind)
}

// SCEPDocument is the com.apple.credential.scep document the mail account's SCEP asset
// points to: the CA's SCEP URL and a one-time challenge bound to the enrolment. The
// certificate names the enrolment (the CA writes its identity into it), so a mail server
// that trusts the CA can tell whose phone signs in, and removing the device revokes it
// with the device's other certificates; it is for client authentication and e-mail
// protection, which marks it as the mail account's and never the phone's MDM identity.
func SCEPDocument(scepURL, challenge string) ([]byte, error) {
	doc, err := json.Marshal(map[string]any{"URL": scepURL, "Name": "trennwand", "Challenge": challenge,
		"Keysize": 2048, "Key Type": "RSA", "Key Usage": 5})
	if err != nil {
		return nil, fmt.Errorf("encode SCEP document: %w", err)
	}
	return doc, nil
}
