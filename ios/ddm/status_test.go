package ddm_test

import (
	"errors"
	"testing"

	"github.com/trennwand/trennwand/ios/ddm"
)

const fullReport = `{"StatusItems":{
 "device":{"operating-system":{"version":"17.4","build-version":"21E219"}},
 "passcode":{"is-compliant":false,"is-present":true},
 "app":{"managed":{"list":[{"identifier":"de.musterstadt.mail","state":"managed","short-version":"2.1","version":"210"},
   {"identifier":"de.musterstadt.zeit","_removed":true}]}},
 "management":{"client-capabilities":{"supported-versions":["1.0"]},
  "declarations":{"configurations":[{"identifier":"trennwand.passcode","active":false,"valid":"valid","server-token":"ab",
   "reasons":[{"code":"Error.ConfigurationCannotBeApplied","description":"The passcode cannot be set."}]}],
   "activations":[{"identifier":"trennwand.activation","active":true,"valid":"valid","server-token":"cd"}]}}},
 "Errors":[]}`

// A report is read into typed values; what it does not carry stays nil.
func TestAStatusReportIsReadIntoTypedValues(t *testing.T) {
	r, err := ddm.DecodeStatus([]byte(fullReport))
	if err != nil {
		t.Fatal(err)
	}
	if *r.OSVersion != "17.4" || *r.OSBuild != "21E219" || *r.PasscodeCompliant || !*r.PasscodePresent {
		t.Errorf("device and passcode: %v %v %v %v", *r.OSVersion, *r.OSBuild, *r.PasscodeCompliant, *r.PasscodePresent)
	}
	if !r.AppsReported || len(r.Apps) != 2 || r.Apps[0].Version != "2.1" || !r.Apps[1].Removed {
		t.Errorf("apps: %+v", r.Apps)
	}
	if string(r.Capabilities) != `{"supported-versions":["1.0"]}` || !r.DeclarationsReported || len(r.Declarations) != 2 {
		t.Errorf("management: %s %+v", r.Capabilities, r.Declarations)
	}
	for _, d := range r.Declarations {
		if d.Identifier == "trennwand.passcode" && (d.ManifestType != "configuration" || d.Reasons != "Error.ConfigurationCannotBeApplied: The passcode cannot be set.") {
			t.Errorf("declaration: %+v", d)
		}
	}
	partial, err := ddm.DecodeStatus([]byte(`{"StatusItems":{"passcode":{"is-compliant":true}}}`))
	if err != nil || partial.OSVersion != nil || partial.PasscodePresent != nil || partial.AppsReported || partial.DeclarationsReported ||
		partial.PasscodeCompliant == nil || !*partial.PasscodeCompliant {
		t.Errorf("partial report: %+v %v", partial, err)
	}
}

// A report that is not what the subscriptions ask for is refused as a whole.
func TestABadStatusReportIsRefused(t *testing.T) {
	for _, raw := range []string{
		``, `[]`, `{"StatusItems":{"passcode":{"is-compliant":"yes"}}}`,
		`{"StatusItems":{"app":{"managed":{"list":[{"state":"managed"}]}}}}`,
		`{"StatusItems":{"management":{"client-capabilities":[1,2]}}}`,
		`{"StatusItems":{"device":{"operating-system":{"version":17}}}}`,
	} {
		if _, err := ddm.DecodeStatus([]byte(raw)); err == nil {
			t.Errorf("%q was taken", raw)
		}
	}
}

// The check-in's endpoints are the four of the protocol; anything else is refused.
func TestTheEndpointsAreParsed(t *testing.T) {
	good := map[string]ddm.Endpoint{
		"tokens":            {Kind: ddm.EndpointTokens},
		"declaration-items": {Kind: ddm.EndpointItems},
		"status":            {Kind: ddm.EndpointStatus},
		"declaration/configuration/trennwand.passcode": {Kind: ddm.EndpointDeclaration, ManifestType: "configuration", Identifier: "trennwand.passcode"},
	}
	for in, want := range good {
		if got, err := ddm.ParseEndpoint(in); err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "token", "declaration/", "declaration/configuration/", "declaration/profile/x", "declaration/asset/a/b", "../tokens"} {
		if _, err := ddm.ParseEndpoint(in); !errors.Is(err, ddm.ErrEndpoint) {
			t.Errorf("%q: %v, want ErrEndpoint", in, err)
		}
	}
}

func FuzzDecodeStatus(f *testing.F) {
	f.Add([]byte(fullReport))
	f.Add([]byte(`{"StatusItems":{"passcode":{"is-compliant":true}}}`))
	f.Add([]byte(`{"StatusItems":{"management":{"declarations":{"assets":[{"identifier":"x","reasons":[{}]}]}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := ddm.DecodeStatus(raw)
		if err != nil {
			return
		}
		if len(r.Apps) > 500 || len(r.Declarations) > 200 || len(r.Capabilities) > 8<<10 {
			t.Errorf("limits passed: %d apps, %d declarations, %d bytes of capabilities", len(r.Apps), len(r.Declarations), len(r.Capabilities))
		}
		for _, a := range r.Apps {
			if a.BundleID == "" || len(a.BundleID) > 128 || len(a.Version) > 128 {
				t.Errorf("app %+v", a)
			}
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"tokens", "declaration-items", "status", "declaration/asset/trennwand.app.x.config", "declaration//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ddm.ParseEndpoint(s)
		if err != nil {
			return
		}
		if e.Kind == ddm.EndpointDeclaration && (e.Identifier == "" || len(e.Identifier) > 512 || e.ManifestType == "") {
			t.Errorf("%q parsed as %+v", s, e)
		}
	})
}

// Phones are managed declaratively from iOS 17.2 on, the first with app.managed.
func TestDeclarativeFromIOS17Point2(t *testing.T) {
	for version, want := range map[string]bool{"16.7.2": false, "17": false, "17.1.2": false, "17.2": true, "17.10": true,
		"18": true, "26.1": true, "": false, "17.2; DROP": false, "1.2.3.4": false} {
		if got := ddm.Capable(version); got != want {
			t.Errorf("Capable(%q) = %v, want %v", version, got, want)
		}
	}
}
