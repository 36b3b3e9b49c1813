package mdm_test

import (
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// A work certificate is warned of from 30 days before it expires, once it has expired,
// and, before all, when the installation's CA has revoked it but the device still holds it.
func TestAHeldCertificateIsWarnedOf(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tt := range []struct {
		name string
		c    mdm.HeldCertificate
		want string
	}{
		{"valid for a year", mdm.HeldCertificate{NotAfter: at.Add(365 * day)}, ""},
		{"31 days left", mdm.HeldCertificate{NotAfter: at.Add(31 * day)}, ""},
		{"29 days left", mdm.HeldCertificate{NotAfter: at.Add(29 * day)}, mdm.CertificateExpiring},
		{"expires now", mdm.HeldCertificate{NotAfter: at}, mdm.CertificateExpired},
		{"expired", mdm.HeldCertificate{NotAfter: at.Add(-day)}, mdm.CertificateExpired},
		{"revoked, valid for a year", mdm.HeldCertificate{NotAfter: at.Add(365 * day), Ours: true, Revoked: true}, mdm.CertificateRevoked},
		{"revoked and expiring", mdm.HeldCertificate{NotAfter: at.Add(day), Ours: true, Revoked: true}, mdm.CertificateRevoked},
	} {
		if got := tt.c.WarningAt(at); got != tt.want {
			t.Errorf("%s: warning %q, want %q", tt.name, got, tt.want)
		}
	}
}
