package ios_test

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"

	"github.com/trennwand/trennwand/ios"
)

// seenProfile is an enrolment profile as the phone reads it.
type seenProfile struct {
	keysize int
	scep    struct{ URL, Challenge string }
	mdm     struct{ ServerURL, CheckInURL string }
}

// parseProfile checks an enrolment profile answer the way a phone and Apple's schema see
// it — the signature, every payload and every key the enrolment depends on — and returns
// what the phone goes on with.
func parseProfile(t testing.TB, s *site, account string, a answer) *seenProfile {
	t.Helper()
	if a.StatusCode != http.StatusOK {
		t.Fatalf("enrolment profile: HTTP %d %s", a.StatusCode, a.body)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/x-apple-aspen-config" {
		t.Errorf("Content-Type = %q", ct)
	}
	p7, err := pkcs7.Parse(a.body)
	if err != nil {
		t.Fatalf("the profile is not CMS signed data: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(s.ca.Root())
	if err := p7.VerifyWithChain(roots); err != nil {
		t.Errorf("the profile's signature does not verify up to the CA's root: %v", err)
	}
	if signer := p7.GetOnlySigner(); signer == nil || !bytes.Equal(signer.Raw, s.tls.Certificates[0].Certificate[0]) {
		t.Errorf("the profile is not signed with the server's TLS certificate")
	}

	var top struct {
		PayloadType    string
		PayloadVersion int
		PayloadContent []map[string]any
	}
	if err := plist.Unmarshal(p7.Content, &top); err != nil {
		t.Fatalf("the signed content is not a plist: %v", err)
	}
	if top.PayloadType != "Configuration" || top.PayloadVersion != 1 || len(top.PayloadContent) != 3 {
		t.Fatalf("profile: type %q version %d with %d payloads, want a Configuration of 3", top.PayloadType, top.PayloadVersion, len(top.PayloadContent))
	}
	byType := map[string]map[string]any{}
	for _, pl := range top.PayloadContent {
		typ, _ := pl["PayloadType"].(string)
		for _, key := range []string{"PayloadIdentifier", "PayloadUUID", "PayloadVersion"} {
			if pl[key] == nil {
				t.Errorf("payload %s lacks %s", typ, key)
			}
		}
		byType[typ] = pl
	}
	root, scepPl, mdmPl := byType["com.apple.security.root"], byType["com.apple.security.scep"], byType["com.apple.mdm"]
	if root == nil || scepPl == nil || mdmPl == nil {
		t.Fatalf("payloads %v, want a root, a SCEP and an MDM payload", slices.Collect(maps.Keys(byType)))
	}

	if der, _ := root["PayloadContent"].([]byte); !bytes.Equal(der, s.ca.Root().Raw) {
		t.Error("the root payload does not carry the CA's root certificate")
	}

	content, _ := scepPl["PayloadContent"].(map[string]any)
	seen := &seenProfile{}
	seen.scep.URL, _ = content["URL"].(string)
	seen.scep.Challenge, _ = content["Challenge"].(string)
	wantValues(t, "SCEP", content, map[string]string{
		"URL": s.ca.SCEPURL(), "Keysize": "2048", "Key Type": "RSA", "Key Usage": "5"})
	if seen.scep.Challenge == "" {
		t.Error("the SCEP payload carries no challenge")
	}
	seen.keysize = 2048

	wantValues(t, "MDM", mdmPl, map[string]string{
		"IdentityCertificateUUID": fmt.Sprint(scepPl["PayloadUUID"]),
		"Topic":                   s.topic,
		"ServerURL":               s.url + ios.PathConnect,
		"CheckInURL":              s.url + ios.PathCheckIn,
		"SignMessage":             "true",
		"EnrollmentMode":          "BYOD",
		"AssignedManagedAppleID":  account,
	})
	for _, forbidden := range []string{"AccessRights", "ManagedAppleID"} {
		if _, ok := mdmPl[forbidden]; ok {
			t.Errorf("the MDM payload has %s; a User Enrolment profile must not", forbidden)
		}
	}
	seen.mdm.ServerURL, _ = mdmPl["ServerURL"].(string)
	seen.mdm.CheckInURL, _ = mdmPl["CheckInURL"].(string)
	return seen
}

// wantValues checks keys of a payload dictionary by their printed value.
func wantValues(t testing.TB, what string, dict map[string]any, want map[string]string) {
	t.Helper()
	for key, w := range want {
		if got := fmt.Sprint(dict[key]); got != w {
			t.Errorf("%s payload: %s = %s, want %s", what, key, got, w)
		}
	}
}
