package ddm

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// certificateRow is a certificate of the work area's keychain as the phone last reported
// it (security.certificate.list): what IT needs to know of it, never the certificate.
type certificateRow struct {
	EnrollmentID string `gorm:"primaryKey"`
	Identifier   string `gorm:"primaryKey"`
	TenantID     string
	DeviceID     string
	CommonName   string
	Issuer       string
	Serial       string
	NotAfter     time.Time
	IsIdentity   bool
	// IssuedHere says that the installation's CA issued exactly this certificate, and
	// Purpose for what (pki.Purpose); empty for another issuer's.
	IssuedHere bool
	Purpose    string
	UpdatedAt  time.Time
}

// TableName is the table of the certificates the phones report.
func (certificateRow) TableName() string { return "ios_ddm_certificates" }

// recordCertificates takes a security.certificate.list report into the enrolment's rows.
// A full report replaces them; an incremental one, which names only the certificates that
// are new, changed or gone, adds, updates and deletes those. Whether the installation's CA
// issued each one is decided here, in the report's transaction, by its serial number and
// bytes.
func recordCertificates(ctx context.Context, db *gorm.DB, row enrolmentRow, r StatusReport, at time.Time) error {
	mine := db.Where("tenant_id = ? AND enrollment_id = ?", row.TenantID, row.EnrollmentID)
	if r.FullReport {
		if err := mine.Delete(&certificateRow{}).Error; err != nil {
			return fmt.Errorf("replace the reported certificates: %w", err)
		}
	}
	byID := map[string]CertificateStatus{} // a later entry of the same certificate wins
	var gone []string
	for _, c := range r.Certificates {
		if c.Removed {
			delete(byID, c.Identifier)
			gone = append(gone, c.Identifier)
			continue
		}
		byID[c.Identifier] = c
	}
	if len(gone) > 0 {
		err := db.Where("tenant_id = ? AND enrollment_id = ? AND identifier IN ?", row.TenantID, row.EnrollmentID, gone).Delete(&certificateRow{}).Error
		if err != nil {
			return fmt.Errorf("forget the removed certificates: %w", err)
		}
	}
	if len(byID) == 0 {
		return nil
	}
	certs := make([]*x509.Certificate, 0, len(byID))
	held := make([]CertificateStatus, 0, len(byID))
	for _, c := range byID {
		certs, held = append(certs, c.Cert), append(held, c)
	}
	issued, err := pki.LookUp(ctx, db, certs)
	if err != nil {
		return err
	}
	rows := make([]certificateRow, len(held))
	for i, c := range held {
		rows[i] = certificateRow{EnrollmentID: row.EnrollmentID, Identifier: c.Identifier, TenantID: row.TenantID, DeviceID: row.DeviceID,
			CommonName: printable(commonName(c.Cert)), Issuer: printable(issuerName(c.Cert)), Serial: c.Cert.SerialNumber.String(),
			NotAfter: c.Cert.NotAfter.UTC(), IsIdentity: c.IsIdentity, IssuedHere: issued[i].Ours, Purpose: string(issued[i].Purpose),
			UpdatedAt: at.UTC()}
	}
	upsert := clause.OnConflict{Columns: []clause.Column{{Name: "enrollment_id"}, {Name: "identifier"}}, UpdateAll: true}
	if err := db.Clauses(upsert).CreateInBatches(rows, 100).Error; err != nil {
		return fmt.Errorf("record the reported certificates: %w", err)
	}
	return nil
}

// commonName is the name a certificate is shown by: its subject's common name, or its
// whole subject when it has none.
func commonName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}

// issuerName is the issuer a certificate is shown with: its common name, or the whole name.
func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// printable bounds a name read from a certificate and drops what no page should print:
// control characters (a NUL, which PostgreSQL refuses in text, among them).
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return cut(s)
}

// CertificateReader reads the certificates an iPhone reported in its work area, for the
// device page and the API, with whether the installation's CA has revoked them since.
type CertificateReader struct{}

var _ mdm.CertificateReader = CertificateReader{}

// HeldCertificates returns the tenant's device's reported certificates: identities first,
// then by name.
func (CertificateReader) HeldCertificates(ctx context.Context, tx mdm.Store, tenantID string, d mdm.Device) ([]mdm.HeldCertificate, error) {
	t, err := store.Extend(tx)
	if err != nil {
		return nil, fmt.Errorf("ios: certificates: %w", err)
	}
	db := t.DB(ctx)
	var rows []certificateRow
	if err := db.Where("tenant_id = ? AND device_id = ?", tenantID, d.ID).Order("is_identity DESC, common_name, identifier").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("ios: certificates of device %s: %w", d.ID, err)
	}
	var ours []string
	for _, r := range rows {
		if r.IssuedHere {
			ours = append(ours, r.Serial)
		}
	}
	revoked, err := pki.Revoked(ctx, db, ours)
	if err != nil {
		return nil, fmt.Errorf("ios: certificates of device %s: %w", d.ID, err)
	}
	out := make([]mdm.HeldCertificate, len(rows))
	for i, r := range rows {
		out[i] = mdm.HeldCertificate{CommonName: r.CommonName, Issuer: r.Issuer, Serial: r.Serial, NotAfter: r.NotAfter,
			Identity: r.IsIdentity, Ours: r.IssuedHere, Purpose: r.Purpose, Revoked: r.IssuedHere && revoked[r.Serial]}
	}
	return out, nil
}
