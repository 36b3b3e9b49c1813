package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/pki"
)

// fakeLookup stands in for the CA's certificate listing.
type fakeLookup struct {
	mu     sync.Mutex
	issued map[string]pki.CertificateInfo
	serial int64
}

func (f *fakeLookup) Certificate(_ context.Context, serial string) (pki.CertificateInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, ok := f.issued[serial]
	if !ok {
		return info, pki.ErrUnknownCertificate
	}
	return info, nil
}

// issue records a certificate for a new active device of the tenant and returns it.
func (w *apiWorld) issue(tn mdm.Tenant) (mdm.Device, *x509.Certificate) {
	w.t.Helper()
	d := w.device(tn)
	w.certs.mu.Lock()
	w.certs.serial++
	serial := big.NewInt(1000 + w.certs.serial)
	w.certs.mu.Unlock()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: d.ID},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		w.t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	w.certs.mu.Lock()
	w.certs.issued[serial.String()] = pki.CertificateInfo{Serial: serial.String(), TenantID: tn.ID, Enrolment: d.ID, NotAfter: cert.NotAfter}
	w.certs.mu.Unlock()
	return d, cert
}

func certificateSerial(w *apiWorld, tn mdm.Tenant) string {
	_, cert := w.issue(tn)
	return cert.SerialNumber.String()
}

func certificatePEM(w *apiWorld, tn mdm.Tenant) string {
	_, cert := w.issue(tn)
	b, _ := json.Marshal(map[string]string{"pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))})
	return string(b)
}

func rulesBody(*apiWorld, mdm.Tenant, string) string {
	return `{"rules":[{"rule":"android_version","min_version":"14","grace_days":7,"consequences":["notify","revoke_certificates"]}]}`
}

// A mail gateway asks about the certificates its clients present: a compliant device's is
// let in; one whose device broke a rule past its grace period, whose device was removed,
// or that was revoked is not, with a short status; one it cannot know is 404, whichever
// tenant issued it. The gateway's token can do nothing else.
func TestTheGatewayLearnsYesOrNoAndNothingMore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newAPIWorld(t, s)
		ask := func(serial string) (int, map[string]any) {
			t.Helper()
			code, body := w.call(http.MethodGet, "/api/v1/access/certificates/"+serial, w.tokens[mdm.RoleGateway], "")
			var out map[string]any
			_ = json.Unmarshal([]byte(body), &out)
			return code, out
		}
		good, goodCert := w.issue(w.tenant)
		if code, out := ask(goodCert.SerialNumber.Text(16)); code != http.StatusOK || out["compliant"] != true || out["status"] != "compliant" {
			t.Fatalf("a compliant device's certificate (in hex): %d %v", code, out)
		}
		if len(func() map[string]any { _, out := ask(goodCert.SerialNumber.String()); return out }()) != 2 {
			t.Error("the answer says more than compliant and status")
		}
		_ = good

		old, oldCert := w.issue(w.tenant)
		policy := w.policy(w.tenant)
		if err := s.Tables().DB().Exec("UPDATE devices SET work_policy_id = ?, os_version = ? WHERE id = ?", policy.ID, "13", old.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Compliance.SetPolicyRules(ctx, "admin:test", w.tenant, policy.ID, []compliance.RuleSetting{{Rule: compliance.RuleAndroidVersion, MinVersion: "14",
			Consequences: []compliance.Consequence{compliance.ConsequenceMark}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		if code, out := ask(oldCert.SerialNumber.String()); code != http.StatusOK || out["compliant"] != false || out["status"] != "noncompliant" {
			t.Fatalf("a non-compliant device's certificate: %d %v", code, out)
		}

		removed, removedCert := w.issue(w.tenant)
		if err := s.Tables().DB().Exec("UPDATE devices SET state = 'removed' WHERE id = ?", removed.ID).Error; err != nil {
			t.Fatal(err)
		}
		if code, out := ask(removedCert.SerialNumber.String()); code != http.StatusOK || out["status"] != "not_enrolled" {
			t.Fatalf("a removed device's certificate: %d %v", code, out)
		}
		_, revokedCert := w.issue(w.tenant)
		w.certs.mu.Lock()
		info := w.certs.issued[revokedCert.SerialNumber.String()]
		info.Revoked = true
		w.certs.issued[revokedCert.SerialNumber.String()] = info
		w.certs.mu.Unlock()
		if code, out := ask(revokedCert.SerialNumber.String()); code != http.StatusOK || out["status"] != "revoked" {
			t.Fatalf("a revoked certificate: %d %v", code, out)
		}

		_, foreign := w.issue(w.other)
		for _, serial := range []string{foreign.SerialNumber.String(), "987654321"} {
			if code, out := ask(serial); code != http.StatusNotFound {
				t.Errorf("serial %s: %d %v, want 404", serial, code, out)
			}
		}
		if code, _ := ask("not-a-serial"); code != http.StatusBadRequest {
			t.Errorf("a malformed serial: %d, want 400", code)
		}
		bad := `{"pem":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}`
		if code, body := w.call(http.MethodPost, "/api/v1/access/certificate", w.tokens[mdm.RoleGateway], bad); code != http.StatusBadRequest || !strings.Contains(body, "certificate") {
			t.Errorf("a broken PEM: %d %s, want 400", code, body)
		}
		if code, _ := w.call(http.MethodGet, "/api/v1/devices", w.tokens[mdm.RoleGateway], ""); code != http.StatusForbidden {
			t.Errorf("the gateway listed devices: %d", code)
		}
	})
}
