package ddm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"slices"

	kddm "github.com/jessepeterson/kmfddm/ddm"
	"github.com/jessepeterson/kmfddm/ddm/build"
)

// The declaration types the server sends (and those of the mail account, mail.go). Each is
// allowed in User Enrolment.
const (
	TypeActivation    = "com.apple.activation.simple"
	TypeSubscriptions = "com.apple.configuration.management.status-subscriptions"
	TypeAppManaged    = "com.apple.configuration.app.managed"
	TypePasscode      = "com.apple.configuration.passcode.settings"
)

// StatusItems are the status items the phone is asked to report, and nothing else: each
// is allowed in User Enrolment, and each is named in the privacy notice (see the tests).
var StatusItems = []string{
	"device.operating-system.version",
	"device.operating-system.build-version",
	"passcode.is-compliant",
	"passcode.is-present",
	"app.managed.list",
	"security.certificate.list",
	"management.client-capabilities",
	"management.declarations",
}

// identifierPrefix starts the identifier of every declaration the server makes.
const identifierPrefix = "trennwand."

// Policy is what a declaration set is built from: the work policy's rules for iPhones,
// the bundle IDs of the work apps to install, those whose licence the employee holds, and
// the work mail account set up for the employee.
// Apple's schema (ddmschema.AppleCommit) gives app.managed no key for an app's managed
// configuration, so an app with one stays on MDM commands (see ios.syncDeclarations).
type Policy struct {
	PasscodeRequired bool
	Apps             []string
	// Mail is the work mail account, nil for none.
	Mail *Mail
}

// Set is one declaration set: its declarations and its token, derived from the content
// alone.
type Set struct {
	Token        string             `json:"-"`
	Declarations []kddm.Declaration `json:"declarations"`
}

// Build makes the declaration set of a policy, as a pure function: the same policy always
// gives the same declarations with the same server tokens, so that an unchanged policy
// never makes a phone sync, and an app that comes or goes changes only its own declaration
// and the activation that lists it.
func Build(p Policy) (Set, error) {
	var s Set
	subscriptions := make([]map[string]string, len(StatusItems))
	for i, item := range StatusItems {
		subscriptions[i] = map[string]string{"Name": item}
	}
	configs := []string{identifierPrefix + "status"}
	if err := s.add(TypeSubscriptions, configs[0], map[string]any{"StatusItems": subscriptions}); err != nil {
		return Set{}, err
	}
	if p.PasscodeRequired {
		configs = append(configs, identifierPrefix+"passcode")
		if err := s.add(TypePasscode, identifierPrefix+"passcode", map[string]any{"RequirePasscode": true}); err != nil {
			return Set{}, err
		}
	}
	if p.Mail != nil {
		id, err := s.addMail(*p.Mail)
		if err != nil {
			return Set{}, err
		}
		configs = append(configs, id)
	}
	apps := slices.Clone(p.Apps)
	slices.Sort(apps)
	for _, bundleID := range slices.Compact(apps) {
		id := identifierPrefix + "app." + bundleID
		configs = append(configs, id)
		payload := map[string]any{"BundleID": bundleID, "InstallBehavior": map[string]any{"Install": "Required"}}
		if err := s.add(TypeAppManaged, id, payload); err != nil {
			return Set{}, err
		}
	}
	if err := s.add(TypeActivation, identifierPrefix+"activation", map[string]any{"StandardConfigurations": configs}); err != nil {
		return Set{}, err
	}
	s.Token = s.Items().DeclarationsToken
	return s, nil
}

// add appends a declaration whose server token is the digest of its type and payload.
func (s *Set) add(typ, id string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("declaration %s: %w", id, err)
	}
	s.Declarations = append(s.Declarations, kddm.Declaration{Identifier: id, Type: typ, Payload: raw, ServerToken: digest(typ, string(raw))})
	return nil
}

// digest is the server token of content: a short hex SHA-256.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Items is the declaration-items answer of the set; its token is the set's.
func (s Set) Items() kddm.DeclarationItems {
	b := build.NewDIBuilder(func() hash.Hash { return sha256.New() })
	for i := range s.Declarations {
		b.Add(&s.Declarations[i])
	}
	b.Finalize()
	return b.DeclarationItems
}

// Declaration returns the set's declaration of the manifest type ("configuration",
// "activation", "asset", "management", as the phone names it in the path) and identifier.
func (s Set) Declaration(manifestType, id string) (kddm.Declaration, bool) {
	for _, d := range s.Declarations {
		if kddm.ManifestType(d.Type) == manifestType && d.Identifier == id {
			return d, true
		}
	}
	return kddm.Declaration{}, false
}
