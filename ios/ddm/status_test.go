package ddm_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

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

// workCertificate is the DER of a certificate in the work area, in base64 as a report
// carries it.
func workCertificate(t testing.TB, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4711), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// The certificates of the work area are read from the certificates the phone sends; an
// entry of a certificate that went carries its identifier alone.
func TestTheWorkCertificatesAreReadFromTheCertificates(t *testing.T) {
	raw := `{"FullReport":true,"StatusItems":{"security":{"certificate":{"list":[
		{"identifier":"c1","subject-summary":"Rathaus VPN","is-identity":true,"declaration-identifier":"trennwand.mail.identity","data":"` + workCertificate(t, "Rathaus VPN") + `"},
		{"identifier":"c2","_removed":true}]}}}}`
	r, err := ddm.DecodeStatus([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !r.FullReport || !r.CertificatesReported || len(r.Certificates) != 2 {
		t.Fatalf("report: full %v, reported %v, %d certificates", r.FullReport, r.CertificatesReported, len(r.Certificates))
	}
	c := r.Certificates[0]
	if c.Identifier != "c1" || !c.IsIdentity || c.Removed || c.Cert == nil || c.Cert.Subject.CommonName != "Rathaus VPN" || c.Cert.SerialNumber.Int64() != 4711 {
		t.Errorf("the certificate is read as %+v", c)
	}
	if gone := r.Certificates[1]; gone.Identifier != "c2" || !gone.Removed || gone.Cert != nil {
		t.Errorf("the removal is read as %+v", gone)
	}
	if partial, err := ddm.DecodeStatus([]byte(`{"StatusItems":{"passcode":{"is-compliant":true}}}`)); err != nil || partial.CertificatesReported || partial.FullReport {
		t.Errorf("a report without certificates: %+v %v", partial, err)
	}
}

// A report that is not what the subscriptions ask for is refused as a whole.
func TestABadStatusReportIsRefused(t *testing.T) {
	for _, raw := range []string{
		``, `[]`, `{"StatusItems":{"passcode":{"is-compliant":"yes"}}}`,
		`{"StatusItems":{"app":{"managed":{"list":[{"state":"managed"}]}}}}`,
		`{"StatusItems":{"management":{"client-capabilities":[1,2]}}}`,
		`{"StatusItems":{"device":{"operating-system":{"version":17}}}}`,
		certificates(t, `{"identifier":"c","is-identity":true,"data":"not base64!"}`),
		certificates(t, `{"identifier":"c","is-identity":true,"data":"AAAA"}`),
		certificates(t, `{"identifier":"c","is-identity":true}`),
		certificates(t, `{"is-identity":true,"data":"`+workCertificate(t, "x")+`"}`),
		certificates(t, `{"identifier":"c\u0000","_removed":true}`),
		certificates(t, `{"identifier":"c","is-identity":"yes","data":"`+workCertificate(t, "x")+`"}`),
		certificates(t, `{"identifier":"c","data":"`+base64.StdEncoding.EncodeToString(make([]byte, 17<<10))+`"}`),
		certificates(t, strings.Repeat(`{"identifier":"c","_removed":true},`, 64)+`{"identifier":"d","_removed":true}`),
		`{"StatusItems":{"security":{"certificate":{"list":{"identifier":"c"}}}}}`,
	} {
		if _, err := ddm.DecodeStatus([]byte(raw)); err == nil {
			t.Errorf("%q was taken", raw)
		}
	}
}

// certificates is a report of security.certificate.list with the entries (JSON).
func certificates(t testing.TB, entries string) string {
	t.Helper()
	return fmt.Sprintf(`{"StatusItems":{"passcode":{"is-compliant":true},"security":{"certificate":{"list":[%s]}}}}`, entries)
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
	f.Add([]byte(certificates(f, `{"identifier":"c1","is-identity":true,"data":"`+workCertificate(f, "Rathaus")+`"},{"identifier":"c2","_removed":true}`)))
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
		if len(r.Certificates) > 64 {
			t.Errorf("limits passed: %d certificates", len(r.Certificates))
		}
		for _, c := range r.Certificates {
			if c.Identifier == "" || len(c.Identifier) > 128 || (c.Cert == nil) != c.Removed {
				t.Errorf("certificate %+v", c)
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
