package pki

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// Purpose is what a certificate of the CA is for. The phone's MDM identity and the work
// mail account's certificate name the same enrolment, so that removing the device revokes
// both; the purpose tells them apart, so that the mail certificate, which the mail server
// sees, never passes as the phone's identity towards the MDM server.
type Purpose string

// The purposes of the CA's certificates.
const (
	// PurposeDevice is a device's own certificate: an iPhone's MDM identity, an Android
	// work profile's certificate. Client authentication only.
	PurposeDevice Purpose = "device"
	// PurposeMail is the certificate a work mail account signs in with: client
	// authentication, which Exchange ActiveSync asks for, and e-mail protection, the
	// marker that sets it apart from a device's own certificate.
	PurposeMail Purpose = "mail"
)

// PurposeOf reads the purpose from a certificate: the e-mail protection usage marks a
// mail certificate. A look at a parsed field, cheap enough for every MDM request.
func PurposeOf(cert *x509.Certificate) Purpose {
	if slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageEmailProtection) {
		return PurposeMail
	}
	return PurposeDevice
}

// ErrNotDeviceIdentity is the error of VerifyDevice for a certificate of this CA that is
// not a device's own: the work mail account's.
var ErrNotDeviceIdentity = errors.New("the certificate is the work mail account's, not the device's identity")

// Issued says what the CA knows of a certificate a device reports it holds: whether this
// CA issued exactly this certificate, and for which purpose.
type Issued struct {
	Ours    bool
	Purpose Purpose
}

// LookUp tells of each certificate, by position, whether the CA issued it: a certificate
// whose serial number the CA has issued but whose bytes differ (another CA's, by chance
// or by design) is not ours. It reads the CA's table in db, so that a caller inside a
// transaction reads there.
func LookUp(ctx context.Context, db *gorm.DB, certs []*x509.Certificate) ([]Issued, error) {
	out := make([]Issued, len(certs))
	if len(certs) == 0 {
		return out, nil
	}
	serials := make([]string, len(certs))
	for i, c := range certs {
		serials[i] = c.SerialNumber.String()
	}
	var rows []certificateRow
	if err := db.WithContext(ctx).Select("serial", "purpose", "der").Where("serial IN ?", serials).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("look up certificates: %w", err)
	}
	for i, c := range certs {
		for _, r := range rows {
			if r.Serial == serials[i] && slices.Equal(r.Der, c.Raw) {
				out[i] = Issued{Ours: true, Purpose: Purpose(r.Purpose)}
			}
		}
	}
	return out, nil
}

// Revoked reports which of the serial numbers (decimal) the CA has revoked, reading its
// table in db.
func Revoked(ctx context.Context, db *gorm.DB, serials []string) (map[string]bool, error) {
	out := make(map[string]bool, len(serials))
	if len(serials) == 0 {
		return out, nil
	}
	var revoked []string
	if err := db.WithContext(ctx).Model(&revocationRow{}).Where("serial IN ?", serials).Pluck("serial", &revoked).Error; err != nil {
		return nil, fmt.Errorf("read revocations: %w", err)
	}
	for _, s := range revoked {
		out[s] = true
	}
	return out, nil
}
