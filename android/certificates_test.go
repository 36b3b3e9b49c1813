package android_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"github.com/smallstep/scep"
	scepx509 "github.com/smallstep/scep/x509util"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
)

// certSite is a site with the installation's CA, its SCEP endpoint, and the platform's
// endpoints behind HTTPS, as the companion app reaches them.
type certSite struct {
	*site
	ca    *pki.CA
	https *httptest.Server
	scep  *httptest.Server
}

func eachCertBackend(t *testing.T, fn func(t *testing.T, s *certSite)) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			st := storetest.Open(t, backend,
				store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}),
				store.WithMigrations(store.MigrationSource{Name: "pki", FS: pki.Migrations()}))
			key, err := pki.ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
			if err != nil {
				t.Fatal(err)
			}
			public, _ := url.Parse("https://mdm.musterstadt.example")
			ca, err := pki.Open(context.Background(), st.Tables().DB(), key, pki.Config{Name: "Musterstadt", PublicURL: public})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(ca.Close)
			s := &certSite{site: newSiteOn(t, st, android.Config{Challenges: ca}), ca: ca}
			s.https = httptest.NewTLSServer(s.platform.Handler())
			t.Cleanup(s.https.Close)
			s.scep = httptest.NewServer(ca.SCEPHandler())
			t.Cleanup(s.scep.Close)
			fn(t, s)
		})
	}
}

// companionConfig is the managed configuration the companion app finds in the policy of
// the device's work policy.
func (s *certSite) companionConfig(t *testing.T, enterprise string, d mdm.Device) map[string]string {
	t.Helper()
	policy, ok := s.fake.Policy(policyOf(enterprise, d))
	if !ok {
		t.Fatal("no AMAPI policy for the device's work policy")
	}
	for _, app := range policy.Applications {
		if app.PackageName == android.DefaultCompanionPackage {
			var config map[string]string
			if err := json.Unmarshal(app.ManagedConfiguration, &config); err != nil {
				t.Fatal(err)
			}
			return config
		}
	}
	t.Fatal("the companion app is not in the policy")
	return nil
}

// askChallenge posts the companion app's request over HTTPS and returns the status and
// the answer.
func (s *certSite) askChallenge(t *testing.T, challengeURL, secret, body string) (int, android.ChallengeAnswer) {
	t.Helper()
	u, err := url.Parse(challengeURL)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.https.URL+u.Path, strings.NewReader(body))
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := s.https.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a android.ChallengeAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, a
}

// policyOf is the AMAPI policy of the device: its work policy's, or the baseline.
func policyOf(enterprise string, d mdm.Device) string {
	if d.WorkPolicyID == nil {
		return enterprise + "/policies/baseline"
	}
	return enterprise + "/policies/wp-" + *d.WorkPolicyID
}

// companionKey is the key fingerprint the companion app of the tests' phone names.
var companionKey = strings.Repeat("c0", 32)

func esidBody(id string) string { return keyBody(id, companionKey) }

// keyBody is a challenge request for the work profile id with the key fingerprint key.
func keyBody(id, key string) string {
	return `{"enterpriseSpecificId":"` + id + `","keyFingerprint":"` + key + `"}`
}

// The companion app in a work profile gets a device certificate: IT enables certificates,
// the app finds the SCEP URL, the challenge URL and the policy's secret in its managed
// configuration, asks for a challenge with the work profile's enrolment-specific ID,
// enrols over SCEP with a client library, and gets a certificate that chains to the CA
// and names its device. The challenge works once.
func TestCompanionAppGetsTheDeviceCertificate(t *testing.T) {
	eachCertBackend(t, func(t *testing.T, s *certSite) {
		ctx := context.Background()
		b := s.bind(t)
		wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1, Default: true,
			Apps: []mdm.AppAssignment{{ID: mdm.NewID(), Platform: mdm.PlatformAndroid, AppID: "de.example.mail", InstallType: mdm.InstallRequired}}}
		if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
			t.Fatal(err)
		}
		if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
			t.Fatal(err)
		}
		d, phone := s.active(t, "erika.mustermann@musterstadt.de")
		if d.WorkPolicyID == nil || *d.WorkPolicyID != wp.ID {
			t.Fatalf("the device is not on the default work policy: %v", d.WorkPolicyID)
		}
		err := s.platform.EnableCertificates(ctx, "admin:test", s.tenant, android.CertificateSettings{KeyApps: []string{"de.example.mail"}})
		if err != nil {
			t.Fatalf("enable certificates: %v", err)
		}
		policy, _ := s.fake.Policy(policyOf(b.Enterprise, d))
		if len(policy.Applications) != 2 || policy.Applications[0].PackageName != "de.example.mail" {
			t.Fatalf("the work policy's app is gone from the policy: %+v", policy.Applications)
		}
		companion := policy.Applications[1]
		if companion.InstallType != "FORCE_INSTALLED" || len(companion.DelegatedScopes) != 1 || companion.DelegatedScopes[0] != "CERT_INSTALL" {
			t.Errorf("companion app in the policy: %+v", companion)
		}
		if rules := policy.ChoosePrivateKeyRules; len(rules) != 1 || rules[0].PrivateKeyAlias != android.DefaultKeyAlias || rules[0].PackageNames[0] != "de.example.mail" {
			t.Errorf("choosePrivateKeyRules: %+v", rules)
		}
		config := s.companionConfig(t, b.Enterprise, d)
		if config[android.ConfigSCEPURL] != s.ca.SCEPURL() || config[android.ConfigBootstrapSecret] == "" {
			t.Fatalf("managed configuration: %v", config)
		}

		status, answer := s.askChallenge(t, config[android.ConfigChallengeURL], config[android.ConfigBootstrapSecret],
			esidBody(phone.HardwareInfo.EnterpriseSpecificId))
		if status != http.StatusOK || answer.Challenge == "" || answer.KeyAlias != android.DefaultKeyAlias {
			t.Fatalf("challenge request: %d %+v", status, answer)
		}
		app := newSCEPClient(t, s.scep.URL+"/scep/devices")
		cert := app.enrol(t, answer.Challenge)
		if cert == nil {
			t.Fatal("the CA refused the companion app's request")
		}
		pool := x509.NewCertPool()
		pool.AddCert(s.ca.Root())
		inter := x509.NewCertPool()
		inter.AddCert(s.ca.Intermediate())
		if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("the certificate does not chain to the CA: %v", err)
		}
		want := pki.Identity{TenantID: s.tenant.ID, EnrolmentID: d.ID}.URI()
		if len(cert.URIs) != 1 || cert.URIs[0].String() != want {
			t.Errorf("certificate names %v, want %s", cert.URIs, want)
		}

		if again := newSCEPClient(t, s.scep.URL+"/scep/devices").enrol(t, answer.Challenge); again != nil {
			t.Error("a used challenge gave a second certificate")
		}
	})
}

// Requests the companion app's server must refuse, each without a challenge made or an
// audit event written.
func TestChallengeRequestsRefused(t *testing.T) {
	eachCertBackend(t, func(t *testing.T, s *certSite) {
		ctx := context.Background()
		b := s.bind(t)
		d, phone := s.active(t, "erika.mustermann@musterstadt.de")
		if err := s.platform.EnableCertificates(ctx, "admin:test", s.tenant, android.CertificateSettings{}); err != nil {
			t.Fatal(err)
		}
		config := s.companionConfig(t, b.Enterprise, d)
		secret, url := config[android.ConfigBootstrapSecret], config[android.ConfigChallengeURL]

		// A device of another tenant, with certificates of its own.
		other := *s.site
		other.tenant = storetest.Tenant(t, s.svc, "beispielheim")
		other.bind(t)
		_, foreign := other.active(t, "max@beispielheim.de")
		if err := s.platform.EnableCertificates(ctx, "admin:test", other.tenant, android.CertificateSettings{}); err != nil {
			t.Fatal(err)
		}

		removed, removedPhone := s.active(t, "gone@musterstadt.de")
		if err := s.svc.ConfirmRemoval(ctx, "android", s.tenant.ID, removed.ID, "test"); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name, secret, body string
			want               int
		}{
			{"no secret", "", esidBody(phone.HardwareInfo.EnterpriseSpecificId), http.StatusUnauthorized},
			{"wrong secret", "not-the-secret", esidBody(phone.HardwareInfo.EnterpriseSpecificId), http.StatusForbidden},
			{"unknown ID", secret, esidBody("ESIDUNKNOWN0000"), http.StatusNotFound},
			{"another tenant's device", secret, esidBody(foreign.HardwareInfo.EnterpriseSpecificId), http.StatusNotFound},
			{"a removed device", secret, esidBody(removedPhone.HardwareInfo.EnterpriseSpecificId), http.StatusNotFound},
			{"not JSON", secret, "enterpriseSpecificId=x", http.StatusBadRequest},
			{"unknown field", secret, `{"enterpriseSpecificId":"ESID12345678","device":"x"}`, http.StatusBadRequest},
			{"no key fingerprint", secret, `{"enterpriseSpecificId":"` + phone.HardwareInfo.EnterpriseSpecificId + `"}`, http.StatusBadRequest},
			{"key fingerprint not hex", secret, keyBody(phone.HardwareInfo.EnterpriseSpecificId, strings.Repeat("zz", 32)), http.StatusBadRequest},
			{"ID with a quote", secret, `{"enterpriseSpecificId":"ESID1234'5678"}`, http.StatusBadRequest},
		}
		events, challenges := s.auditCount(t), countRows(t, s.site, "pki_challenges")
		for _, tt := range tests {
			if got, _ := s.askChallenge(t, url, tt.secret, tt.body); got != tt.want {
				t.Errorf("%s: HTTP %d, want %d", tt.name, got, tt.want)
			}
		}
		if s.auditCount(t) != events || countRows(t, s.site, "pki_challenges") != challenges {
			t.Error("a refused request wrote an audit event or a challenge")
		}
	})
}

// The bootstrap secret is checked before the body is read: a wrong secret with a
// malformed body is 403, not 400; the right secret with a malformed body is 400; neither
// makes a challenge or an audit event.
func TestChallengeAuthenticatesBeforeParsing(t *testing.T) {
	eachCertBackend(t, func(t *testing.T, s *certSite) {
		b := s.bind(t)
		d, _ := s.active(t, "erika.mustermann@musterstadt.de")
		if err := s.platform.EnableCertificates(context.Background(), "admin:test", s.tenant, android.CertificateSettings{}); err != nil {
			t.Fatal(err)
		}
		config := s.companionConfig(t, b.Enterprise, d)
		secret, url := config[android.ConfigBootstrapSecret], config[android.ConfigChallengeURL]
		events, challenges := s.auditCount(t), countRows(t, s.site, "pki_challenges")
		for _, body := range []string{"not JSON", `{"enterpriseSpecificId":`, strings.Repeat("x", 8<<10)} {
			if got, _ := s.askChallenge(t, url, "", body); got != http.StatusUnauthorized {
				t.Errorf("no secret, malformed body of %d bytes: %d, want 401", len(body), got)
			}
			if got, _ := s.askChallenge(t, url, "not-the-secret", body); got != http.StatusForbidden {
				t.Errorf("wrong secret, malformed body of %d bytes: %d, want 403", len(body), got)
			}
			if got, _ := s.askChallenge(t, url, secret, body); got != http.StatusBadRequest {
				t.Errorf("right secret, malformed body of %d bytes: %d, want 400", len(body), got)
			}
		}
		if s.auditCount(t) != events || countRows(t, s.site, "pki_challenges") != challenges {
			t.Error("a refused request wrote an audit event or a challenge")
		}
	})
}

func countRows(t *testing.T, s *site, table string) int64 {
	t.Helper()
	var n int64
	if err := s.st.Tables().DB().Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// scepClient plays the companion app's SCEP part with a client library the project did
// not write (github.com/smallstep/scep).
type scepClient struct {
	url  string
	key  *rsa.PrivateKey
	self *x509.Certificate
}

func newSCEPClient(t *testing.T, scepURL string) *scepClient {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "companion"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := x509.ParseCertificate(der)
	return &scepClient{url: scepURL, key: key, self: self}
}

// enrol asks for a certificate with the challenge; nil when the CA answers with a SCEP
// failure.
func (c *scepClient) enrol(t *testing.T, challenge string) *x509.Certificate {
	t.Helper()
	caCerts, err := scep.CACerts(c.get(t, "?operation=GetCACert"))
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err := scepx509.CreateCertificateRequest(rand.Reader, &scepx509.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: "companion"}}, ChallengePassword: challenge}, c.key)
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := x509.ParseCertificateRequest(csrDER)
	pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
	msg, err := scep.NewCSRRequest(csr, &scep.PKIMessage{MessageType: scep.PKCSReq,
		Recipients: scep.EnciphermentCertsSelector().SelectCerts(caCerts), SignerKey: c.key, SignerCert: c.self})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(c.url+"?operation=PKIOperation", "application/x-pki-message", bytes.NewReader(msg.Raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	rep, err := scep.ParsePKIMessage(body)
	if err != nil {
		t.Fatalf("SCEP reply (HTTP %d): %v", resp.StatusCode, err)
	}
	if rep.PKIStatus != scep.SUCCESS {
		return nil
	}
	if err := rep.DecryptPKIEnvelope(c.self, c.key); err != nil {
		t.Fatal(err)
	}
	return rep.CertRepMessage.Certificate
}

func (c *scepClient) get(t *testing.T, query string) []byte {
	t.Helper()
	resp, err := http.Get(c.url + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body
}
