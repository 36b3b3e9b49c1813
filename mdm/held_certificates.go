package mdm

import (
	"context"
	"fmt"
	"time"
)

// HeldCertificate is a certificate a device reports in its work area (an iPhone's
// security.certificate.list): what IT needs to know of it, never the certificate itself.
type HeldCertificate struct {
	CommonName string
	Issuer     string
	// Serial is the certificate's serial number in decimal, as the CA keeps it.
	Serial   string
	NotAfter time.Time
	// Identity says that the device holds the certificate's private key too.
	Identity bool
	// Ours says that the installation's CA issued it, and Purpose for what: "device" (the
	// device's own identity) or "mail" (its work mail account's); empty for another issuer's.
	Ours    bool
	Purpose string
	// Revoked says that the installation's CA has revoked it, yet the device still holds it.
	Revoked bool
	// Warning is why it needs IT's attention when it was read (CertificateExpiring,
	// CertificateExpired, CertificateRevoked), or empty.
	Warning string
}

// The warnings of a held certificate.
const (
	CertificateExpiring = "expiring"
	CertificateExpired  = "expired"
	CertificateRevoked  = "revoked"
)

// CertificateWarningWithin is how long before it expires a work certificate is warned of.
const CertificateWarningWithin = 30 * 24 * time.Hour

// WarningAt is the certificate's warning at the time: revoked by our CA but still on the
// device, expired, expiring within CertificateWarningWithin, or none.
func (c HeldCertificate) WarningAt(at time.Time) string {
	switch {
	case c.Revoked:
		return CertificateRevoked
	case !c.NotAfter.After(at):
		return CertificateExpired
	case c.NotAfter.Before(at.Add(CertificateWarningWithin)):
		return CertificateExpiring
	}
	return ""
}

// CertificateReader is a platform's part of showing the certificates a device reports in
// its work area, read inside tx.
type CertificateReader interface {
	HeldCertificates(ctx context.Context, tx Store, tenantID string, d Device) ([]HeldCertificate, error)
}

// heldCertificatesOf reads the certificates the device reports from its platform, inside
// tx, each with its warning at `at`; none when the platform reports none.
func (s *Service) heldCertificatesOf(ctx context.Context, tx Store, d Device, at time.Time) ([]HeldCertificate, error) {
	i := s.platformIndex(d.Platform)
	if i < 0 || s.platforms[i].Certificates == nil {
		return nil, nil
	}
	out, err := s.platforms[i].Certificates.HeldCertificates(ctx, tx, d.TenantID, d)
	if err != nil {
		return nil, fmt.Errorf("certificates of device %s: %w", d.ID, err)
	}
	for i := range out {
		out[i].Warning = out[i].WarningAt(at)
	}
	return out, nil
}
