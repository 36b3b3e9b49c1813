package phonesim

import (
	"cmp"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
)

// declarative is what a phone holds of Declarative Device Management.
type declarative struct {
	// syncAsked is set by a DeclarativeManagement command, with the tokens it carried
	// (syncData, empty when the phone asks for them).
	syncAsked bool
	syncData  []byte
	// synced is set once a sync succeeded; token is the declarations token then held.
	synced bool
	token  string
	held   map[ref]*held
	// apps are the work apps active app.managed declarations installed, by identifier.
	apps map[string]managedApp
	// subscribed are the status items active status subscriptions name, sorted.
	subscribed []string
	// identities are the certificates credential.scep assets got the phone, by asset
	// identifier.
	identities map[string]AssetIdentity
	reported   reportedState
	counters   DDMCounters
}

func newDeclarative() declarative {
	return declarative{held: make(map[ref]*held), apps: make(map[string]managedApp)}
}

// held is one declaration the phone holds, with what it made of it.
type held struct {
	typ, serverToken string
	// payload is the decoded Payload of a valid declaration, nil for an invalid one.
	payload map[string]any
	valid   bool
	active  bool
	reasons []reason
}

// reason is one entry of a declaration's status reasons, in Apple's format.
type reason struct {
	Code        string         `json:"code"`
	Description string         `json:"description,omitempty"`
	Details     map[string]any `json:"details,omitempty"`
}

// managedApp is a work app a declaration installed.
type managedApp struct {
	declaration, version string
}

// askSync notes a DeclarativeManagement command; the sync follows the commands.
func (d *declarative) askSync(data []byte) { d.syncAsked, d.syncData = true, data }

// manages says whether a declaration manages the app.
func (d *declarative) manages(identifier string) bool {
	_, ok := d.apps[identifier]
	return ok
}

// DeclarationState is one declaration a phone holds, as it reports it.
type DeclarationState struct {
	Kind, Identifier, Type, ServerToken string
	Active, Valid                       bool
	// Reasons are the codes of its status reasons.
	Reasons []string
}

// Declarations returns the declarations the phone holds, by kind and identifier.
func (p *Phone) Declarations() []DeclarationState {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]DeclarationState, 0, len(p.ddm.held))
	for _, r := range p.ddm.sortedRefs() {
		h := p.ddm.held[r]
		s := DeclarationState{Kind: r.kind, Identifier: r.identifier, Type: h.typ, ServerToken: h.serverToken, Active: h.active, Valid: h.valid}
		for _, rs := range h.reasons {
			s.Reasons = append(s.Reasons, rs.Code)
		}
		out = append(out, s)
	}
	return out
}

func (d *declarative) sortedRefs() []ref {
	refs := make([]ref, 0, len(d.held))
	for r := range d.held {
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b ref) int {
		return cmp.Or(strings.Compare(a.kind, b.kind), strings.Compare(a.identifier, b.identifier))
	})
	return refs
}

// take checks a fetched declaration as iOS does on a User Enrolment: Apple's schema for
// its type, the kind and identifier it was fetched under, and the iOS version its type
// needs. What fails is held as invalid, with the reason.
func (p *Phone) take(it item, doc []byte) *held {
	h := &held{serverToken: it.serverToken}
	var env struct {
		Type, Identifier string
		Payload          map[string]any
	}
	_ = json.Unmarshal(doc, &env)
	h.typ = env.Type
	info, _ := ddmschema.Describe(env.Type)
	details := map[string]any{"Identifier": it.identifier, "ServerToken": it.serverToken}
	err := ddmschema.CheckDeclaration(doc, true)
	switch {
	case err != nil:
		h.reasons = []reason{refusal(it.kind, err, details)}
	case info.Kind != it.kind || env.Identifier != it.identifier:
		details["Error"] = "declaration/" + it.kind + "/" + it.identifier + " answered the " + info.Kind + " " + env.Identifier
		h.reasons = []reason{{Code: deserialisationCode(it.kind), Details: details}}
	case !versionAtLeast(p.cfg.OSVersion, info.IOSIntroduced):
		details["Error"] = env.Type + " needs iOS " + info.IOSIntroduced
		h.reasons = []reason{{Code: "Error.ConfigurationNotSupported", Details: details}}
	default:
		h.valid, h.payload = true, env.Payload
	}
	return h
}

// refusal turns a schema check's error into the status reason iOS gives.
func refusal(kind string, err error, details map[string]any) reason {
	details["Error"] = err.Error()
	var e *ddmschema.Error
	if !errors.As(err, &e) {
		return reason{Code: deserialisationCode(kind), Details: details}
	}
	var unknown []string
	for _, pr := range e.Problems {
		switch pr.Reason {
		case ddmschema.UnknownType, ddmschema.NotOnIOS, ddmschema.NotInUserEnrolment:
			return reason{Code: "Error.ConfigurationNotSupported", Details: details}
		case ddmschema.UnknownKey:
			unknown = append(unknown, pr.Path)
		}
	}
	if len(unknown) == len(e.Problems) {
		details["UnknownPayloadKeys"] = unknown
		return reason{Code: "Error.UnknownPayloadKeys", Details: details}
	}
	return reason{Code: deserialisationCode(kind), Details: details}
}

func deserialisationCode(kind string) string {
	if kind == "asset" {
		return "Error.AssetCannotBeDeserialized"
	}
	return "Error.ConfigurationCannotBeDeserialized"
}

// evaluate works out which declarations are active — valid activations, the valid
// configurations they name whose assets are there, the assets active configurations
// reference, valid management declarations — and applies the active configurations.
func (p *Phone) evaluate() {
	d := &p.ddm
	named := make(map[string]bool)
	for _, r := range d.sortedRefs() {
		h := d.held[r]
		h.active = false
		if h.valid {
			h.reasons = nil
		}
		if r.kind == "activation" && h.valid {
			h.active = true
			var missing []string
			for _, id := range stringsAt(h.payload["StandardConfigurations"]) {
				if _, ok := d.held[ref{"configuration", id}]; ok {
					named[id] = true
				} else {
					missing = append(missing, id)
				}
			}
			if len(missing) > 0 {
				h.reasons = []reason{{Code: "Error.MissingConfigurations", Details: map[string]any{
					"Identifier": r.identifier, "ServerToken": h.serverToken, "ConfigurationIdentifiers": missing}}}
			}
		}
		if r.kind == "management" {
			h.active = h.valid
		}
	}
	referenced := make(map[string]bool)
	for _, r := range d.sortedRefs() {
		h := d.held[r]
		if r.kind != "configuration" || !h.valid {
			continue
		}
		if !named[r.identifier] {
			h.reasons = []reason{{Code: "Info.NotReferencedByActivation"}}
			continue
		}
		var missing []string
		for _, id := range assetReferences(h.payload) {
			if a, ok := d.held[ref{"asset", id}]; !ok || !a.valid {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			h.reasons = []reason{{Code: "Error.MissingAssets", Details: map[string]any{
				"Identifier": r.identifier, "ServerToken": h.serverToken, "AssetIdentifiers": missing}}}
			continue
		}
		h.active = true
		for _, id := range assetReferences(h.payload) {
			referenced[id] = true
		}
	}
	for _, r := range d.sortedRefs() {
		if h := d.held[r]; r.kind == "asset" && h.valid {
			h.active = referenced[r.identifier]
			if !h.active {
				h.reasons = []reason{{Code: "Info.NotReferencedByConfiguration"}}
			}
		}
	}
	p.apply()
}

// apply does what the active configurations ask that a simulated phone can: install the
// work apps (taking over those MDM installed) and subscribe to status items.
func (p *Phone) apply() {
	d := &p.ddm
	apps := make(map[string]managedApp)
	d.subscribed = nil
	for _, r := range d.sortedRefs() {
		h := d.held[r]
		if !h.active || r.kind != "configuration" {
			continue
		}
		switch h.typ {
		case "com.apple.configuration.app.managed":
			id := appIdentifier(h.payload)
			if id == "" {
				continue
			}
			if old, ok := d.apps[id]; ok {
				apps[id] = managedApp{declaration: r.identifier, version: old.version}
				continue
			}
			if p.apps[id] {
				delete(p.apps, id)
				d.counters.AppsTransferred++
			} else {
				d.counters.AppsInstalled++
			}
			apps[id] = managedApp{declaration: r.identifier, version: "1.0"}
		case "com.apple.configuration.management.status-subscriptions":
			items, _ := h.payload["StatusItems"].([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					d.subscribed = append(d.subscribed, stringsAt([]any{m["Name"]})...)
				}
			}
		}
	}
	slices.Sort(d.subscribed)
	d.subscribed = slices.Compact(d.subscribed)
	d.apps = apps
}

// appIdentifier is what names an app.managed declaration's app: its bundle ID, App Store
// ID or manifest URL, whichever it has.
func appIdentifier(payload map[string]any) string {
	for _, k := range []string{"BundleID", "AppStoreID", "ManifestURL"} {
		if s, ok := payload[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// assetReferences returns, sorted, the asset identifiers a configuration names: the
// values of its keys that end in "AssetReference", at any depth.
func assetReferences(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				if s, ok := sub.(string); ok && strings.HasSuffix(k, "AssetReference") {
					out = append(out, s)
				}
				walk(sub)
			}
		case []any:
			for _, sub := range v {
				walk(sub)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// stringsAt returns the strings of a decoded JSON array.
func stringsAt(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
