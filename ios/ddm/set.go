package ddm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"strings"

	kddm "github.com/jessepeterson/kmfddm/ddm"
	"github.com/jessepeterson/kmfddm/ddm/build"
)

// The declaration types the server sends. Each is allowed in User Enrolment.
const (
	TypeActivation    = "com.apple.activation.simple"
	TypeSubscriptions = "com.apple.configuration.management.status-subscriptions"
	TypeAppManaged    = "com.apple.configuration.app.managed"
	TypePasscode      = "com.apple.configuration.passcode.settings"
	TypeData          = "com.apple.asset.data"
)

// StatusItems are the status items the phone is asked to report, and nothing else: each
// is allowed in User Enrolment, and each is named in the privacy notice (see the tests).
var StatusItems = []string{
	"device.operating-system.version",
	"device.operating-system.build",
	"passcode.is-compliant",
	"passcode.is-present",
	"app.managed.list",
	"management.client-capabilities",
	"management.declarations",
}

// identifierPrefix starts the identifier of every declaration the server makes.
const identifierPrefix = "trennwand."

// App is a work app as a declaration set manages it: installed without asking, with its
// managed configuration (a property list; empty for none).
type App struct {
	BundleID string
	Config   []byte
}

// Policy is what a declaration set is built from: the work policy's rules for iPhones
// and the work apps whose licence the employee holds.
type Policy struct {
	PasscodeRequired bool
	Apps             []App
}

// Asset is the data a data asset refers to, served to the phone at its DataURL.
type Asset struct {
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Set is one declaration set: its declarations, the data of its assets by their SHA-256
// (hex), and its token, derived from the content alone.
type Set struct {
	Token        string             `json:"-"`
	Declarations []kddm.Declaration `json:"declarations"`
	Assets       map[string]Asset   `json:"assets,omitempty"`
}

// AssetURL returns the https URL where the phone downloads the data with the hash.
type AssetURL func(sha256Hex string) string

// Build makes the declaration set of a policy, as a pure function: the same policy always
// gives the same declarations with the same server tokens, so that an unchanged policy
// never makes a phone sync, and a changed app changes only its own declarations (and the
// activation that lists them when apps come or go).
func Build(p Policy, assetURL AssetURL) (Set, error) {
	s := Set{Assets: map[string]Asset{}}
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
	apps := slices.Clone(p.Apps)
	slices.SortFunc(apps, func(a, b App) int { return strings.Compare(a.BundleID, b.BundleID) })
	for _, a := range apps {
		id := identifierPrefix + "app." + a.BundleID
		payload := map[string]any{"BundleID": a.BundleID, "InstallBehavior": map[string]any{"Install": "Required"}}
		if len(a.Config) > 0 {
			asset, err := s.addData(identifierPrefix+"config."+a.BundleID, "application/x-plist", a.Config, assetURL)
			if err != nil {
				return Set{}, err
			}
			payload["LegacyAppConfigAssetReference"] = asset
		}
		configs = append(configs, id)
		if err := s.add(TypeAppManaged, id, payload); err != nil {
			return Set{}, err
		}
	}
	if err := s.add(TypeActivation, identifierPrefix+"activation", map[string]any{"StandardConfigurations": configs}); err != nil {
		return Set{}, err
	}
	if len(s.Assets) == 0 {
		s.Assets = nil
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

// addData adds a data asset for the content and returns its identifier.
func (s *Set) addData(id, contentType string, data []byte, assetURL AssetURL) (string, error) {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	s.Assets[h] = Asset{ContentType: contentType, Data: data}
	ref := map[string]any{"DataURL": assetURL(h), "ContentType": contentType, "Size": len(data), "Hash-SHA-256": h}
	// The phone fetches the data with the authentication of its MDM messages.
	err := s.add(TypeData, id, map[string]any{"Reference": ref, "Authentication": map[string]any{"Type": "MDM"}})
	return id, err
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
