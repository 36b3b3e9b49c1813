package pki

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/smallstep/certificates/authority"
	"github.com/smallstep/certificates/authority/provisioner"
	"gorm.io/gorm"
)

// Reason codes of RFC 5280 that trennwand uses.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonAffiliationChanged   = 3
	ReasonCessationOfOperation = 5
)

// ErrUnknownCertificate means no certificate with that serial number was issued here.
var ErrUnknownCertificate = errors.New("no certificate with this serial number was issued by this CA")

// ErrAlreadyRevoked means the certificate was revoked before.
var ErrAlreadyRevoked = errors.New("the certificate is revoked already")

// CertificateInfo describes an issued certificate.
type CertificateInfo struct {
	Serial    string    `json:"serial"`
	Identity  Identity  `json:"-"`
	TenantID  string    `json:"tenant_id,omitempty"`
	Enrolment string    `json:"enrolment_id,omitempty"`
	Subject   string    `json:"subject"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Revoked   bool      `json:"revoked"`
	// Purpose is what the certificate is for: a device's own, or a work mail account's.
	Purpose Purpose `json:"purpose"`
}

// ParseSerial accepts a serial number in decimal or as hex (with or without colons, as
// openssl prints it) and returns it in decimal, the form the CA stores.
func ParseSerial(s string) (string, error) {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		n, ok = new(big.Int).SetString(strings.ReplaceAll(s, ":", ""), 16)
	}
	if !ok || n.Sign() <= 0 || n.BitLen() > 160 {
		return "", fmt.Errorf("%q is not a certificate serial number (decimal, or hex as openssl prints it)", s)
	}
	return n.String(), nil
}

// Certificate returns what the CA knows of the certificate with the serial number.
func (ca *CA) Certificate(ctx context.Context, serial string) (CertificateInfo, error) {
	var row certificateRow
	if err := ca.db.WithContext(ctx).Where("serial = ?", serial).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return CertificateInfo{}, ErrUnknownCertificate
		}
		return CertificateInfo{}, err
	}
	infos, err := ca.describe(ctx, []certificateRow{row})
	if err != nil {
		return CertificateInfo{}, err
	}
	return infos[0], nil
}

// Certificates lists issued certificates, newest first: of one tenant when tenantID is
// set, of one enrolment when enrolmentID is set too.
func (ca *CA) Certificates(ctx context.Context, tenantID, enrolmentID string) ([]CertificateInfo, error) {
	q := ca.db.WithContext(ctx).Model(&certificateRow{})
	if tenantID != "" {
		q = q.Where("tenant_id = ?", tenantID)
	}
	if enrolmentID != "" {
		q = q.Where("enrolment_id = ?", enrolmentID)
	}
	var rows []certificateRow
	if err := q.Order("created_at DESC, serial").Find(&rows).Error; err != nil {
		return nil, err
	}
	return ca.describe(ctx, rows)
}

func (ca *CA) describe(ctx context.Context, rows []certificateRow) ([]CertificateInfo, error) {
	serials := make([]string, len(rows))
	for i, r := range rows {
		serials[i] = r.Serial
	}
	isRevoked, err := Revoked(ctx, ca.db, serials)
	if err != nil {
		return nil, err
	}
	out := make([]CertificateInfo, len(rows))
	for i, r := range rows {
		out[i] = CertificateInfo{Serial: r.Serial, Identity: Identity{TenantID: r.TenantID, EnrolmentID: r.EnrolmentID},
			TenantID: r.TenantID, Enrolment: r.EnrolmentID, Subject: r.Subject,
			NotBefore: r.NotBefore, NotAfter: r.NotAfter, Revoked: isRevoked[r.Serial], Purpose: Purpose(r.Purpose)}
	}
	return out, nil
}

// Revoke revokes one certificate by its decimal serial number; the CRL is regenerated at
// once.
func (ca *CA) Revoke(ctx context.Context, serial string, reasonCode int, reason string) error {
	var row certificateRow
	if err := ca.db.WithContext(ctx).Where("serial = ?", serial).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrUnknownCertificate
		}
		return err
	}
	cert, err := x509.ParseCertificate(row.Der)
	if err != nil {
		return fmt.Errorf("read certificate %s: %w", serial, err)
	}
	// The authority revokes without a token when it is handed the certificate itself; the
	// revoke method in the context makes it record when the certificate expires, so that
	// the CRL can drop it afterwards.
	ctx = provisioner.NewContextWithMethod(ctx, provisioner.RevokeMethod)
	err = ca.auth.Revoke(ctx, &authority.RevokeOptions{
		Serial: serial, ReasonCode: reasonCode, Reason: reason, MTLS: true, Crt: cert,
	})
	if err != nil {
		if revoked, _ := ca.store.IsRevoked(serial); revoked {
			return ErrAlreadyRevoked
		}
		return fmt.Errorf("revoke %s: %w", serial, err)
	}
	if cert.NotAfter.After(ca.now()) {
		return ca.ensureCRLLists(cert.SerialNumber)
	}
	return nil
}

// ensureCRLLists makes sure that the stored CRL lists a revoked certificate. Replicas that
// revoke at the same time each generate a CRL from the revocations they read, and the one
// stored may lack this revocation; then it is generated again, which reads it. StoreCRL
// never replaces a CRL by one with the same or a lower number, so once listed it stays.
func (ca *CA) ensureCRLLists(serial *big.Int) error {
	for range 10 {
		info, err := ca.store.GetCRL()
		if err != nil {
			return fmt.Errorf("read CRL: %w", err)
		}
		crl, err := x509.ParseRevocationList(info.DER)
		if err != nil {
			return fmt.Errorf("read CRL: %w", err)
		}
		if slices.ContainsFunc(crl.RevokedCertificateEntries, func(e x509.RevocationListEntry) bool { return e.SerialNumber.Cmp(serial) == 0 }) {
			return nil
		}
		if err := ca.auth.GenerateCertificateRevocationList(); err != nil {
			return fmt.Errorf("regenerate CRL: %w", err)
		}
	}
	return fmt.Errorf("revoked %s, but the CRL does not list it yet", serial)
}

// RevokeEnrolment revokes every certificate of an enrolment that is not revoked yet and
// returns how many it revoked. Calling it again revokes nothing more and is not an error,
// so that a removal interrupted halfway can simply be repeated.
func (ca *CA) RevokeEnrolment(ctx context.Context, id Identity, reasonCode int, reason string) (int, error) {
	// An empty part would widen the lookup below to a whole tenant or the installation.
	if err := id.Validate(); err != nil {
		return 0, err
	}
	certs, err := ca.Certificates(ctx, id.TenantID, id.EnrolmentID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range certs {
		if c.Revoked {
			continue
		}
		err := ca.Revoke(ctx, c.Serial, reasonCode, reason)
		if errors.Is(err, ErrAlreadyRevoked) {
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CRL returns the current certificate revocation list in DER.
func (ca *CA) CRL() ([]byte, error) {
	info, err := ca.auth.GetCertificateRevocationList()
	if err != nil {
		return nil, fmt.Errorf("read CRL: %w", err)
	}
	return info.Data, nil
}

// ErrRevoked is the error of VerifyDevice for a certificate of this CA that has been
// revoked.
var ErrRevoked = errors.New("the certificate is revoked")

// VerifyDevice checks that cert is a device certificate of this CA, valid now, for client
// authentication, a device's own (ErrNotDeviceIdentity for the work mail account's) and
// not revoked, and returns the enrolment it belongs to. For a revoked certificate it
// returns the enrolment with ErrRevoked, so that the caller can let it do nothing but
// fetch its own removal.
func (ca *CA) VerifyDevice(ctx context.Context, cert *x509.Certificate) (Identity, error) {
	if err := ca.chains.verify(ca.material, cert, ca.now()); err != nil {
		return Identity{}, fmt.Errorf("not a valid device certificate of this CA: %w", err)
	}
	if PurposeOf(cert) != PurposeDevice {
		return Identity{}, ErrNotDeviceIdentity
	}
	id, ok := identityOf(cert)
	if !ok {
		return Identity{}, errors.New("the certificate names no enrolment")
	}
	revoked, err := ca.store.IsRevoked(cert.SerialNumber.String())
	if err != nil {
		return Identity{}, err
	}
	if revoked {
		return id, ErrRevoked
	}
	return id, nil
}
