package access

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/trennwand/trennwand/mdm"
)

// MaxCeremonyAnswer bounds the browser's answer to a ceremony: a credential with its
// attestation and client data fits in a few kilobytes.
const MaxCeremonyAnswer = 64 << 10

// maxPasskeyName is how long a passkey's name may be, in characters.
const maxPasskeyName = 100

// Registration is the browser's answer to a passkey registration, checked at the edge:
// the name the administrator gives the passkey and the parsed credential.
type Registration struct {
	Name     string
	response *protocol.ParsedCredentialCreationData
}

// ParseRegistration checks the name of a new passkey and parses the browser's answer to
// navigator.credentials.create (the PublicKeyCredential as JSON). Whatever is wrong is
// ErrInvalid with words for the administrator.
func ParseRegistration(name, credential string) (Registration, error) {
	name, err := parsePasskeyName(name)
	if err != nil {
		return Registration{}, err
	}
	if err := checkAnswerSize(credential); err != nil {
		return Registration{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(credential))
	if err != nil {
		return Registration{}, fmt.Errorf("%w: the browser's answer is not a passkey registration (%s)", mdm.ErrInvalid, refusal(err))
	}
	return Registration{Name: name, response: parsed}, nil
}

// Assertion is the browser's answer to a passkey check, parsed at the edge.
type Assertion struct {
	response *protocol.ParsedCredentialAssertionData
}

// ParseAssertion parses the browser's answer to navigator.credentials.get (the
// PublicKeyCredential as JSON); whatever is wrong is ErrInvalid.
func ParseAssertion(credential string) (Assertion, error) {
	if err := checkAnswerSize(credential); err != nil {
		return Assertion{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(credential))
	if err != nil {
		return Assertion{}, fmt.Errorf("%w: the browser's answer is not a passkey check (%s)", mdm.ErrInvalid, refusal(err))
	}
	return Assertion{response: parsed}, nil
}

func checkAnswerSize(credential string) error {
	switch {
	case strings.TrimSpace(credential) == "":
		return fmt.Errorf("%w: the browser sent no passkey answer; passkeys need JavaScript", mdm.ErrInvalid)
	case len(credential) > MaxCeremonyAnswer:
		return fmt.Errorf("%w: the browser's passkey answer is longer than %d bytes", mdm.ErrInvalid, MaxCeremonyAnswer)
	}
	return nil
}

// parsePasskeyName checks the name an administrator gives a passkey ("laptop", "security
// key at the office"): 1 to 100 characters of text, without control characters.
func parsePasskeyName(s string) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	bad := !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError || unicode.IsControl(r) })
	if n == 0 || n > maxPasskeyName || bad {
		return "", fmt.Errorf("%w: name the passkey with 1 to %d characters of text", mdm.ErrInvalid, maxPasskeyName)
	}
	return s, nil
}
