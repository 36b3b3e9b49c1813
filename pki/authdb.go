package pki

import (
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/smallstep/certificates/authority/provisioner"
	stepdb "github.com/smallstep/certificates/db"
	"golang.org/x/crypto/ssh"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// authDB keeps the CA's certificates, revocations and CRL in the installation's database,
// so that every replica sees the same ones. It implements what step's authority needs of a
// database for issuing, revoking and CRLs; SSH and one-time tokens are not used here.
type authDB struct {
	db   *gorm.DB
	now  func() time.Time
	memo RevocationMemo // nil: every answer is read
}

var (
	_ stepdb.AuthDB                      = (*authDB)(nil)
	_ stepdb.CertificateRevocationListDB = (*authDB)(nil)
)

// certificateRow is one issued certificate.
type certificateRow struct {
	Serial      string `gorm:"primaryKey"`
	TenantID    string
	EnrolmentID string
	Subject     string
	NotBefore   time.Time
	NotAfter    time.Time
	Der         []byte
	// Purpose is what the certificate is for (Purpose), read from the certificate.
	Purpose   string
	CreatedAt time.Time
}

func (certificateRow) TableName() string { return "pki_certificates" }

// revocationRow is one revoked certificate; Info keeps step's record as JSON.
type revocationRow struct {
	Serial     string `gorm:"primaryKey"`
	ReasonCode int
	Reason     string
	RevokedAt  time.Time
	ExpiresAt  time.Time
	Info       string
}

func (revocationRow) TableName() string { return "pki_revocations" }

// crlRow is the current CRL; Info keeps step's record as JSON.
type crlRow struct {
	ID   string `gorm:"primaryKey"`
	Info string
}

func (crlRow) TableName() string { return "pki_crl" }

// StoreCertificateChain records an issued certificate with the enrolment named in it and
// its purpose.
func (d *authDB) StoreCertificateChain(_ provisioner.Interface, chain ...*x509.Certificate) error {
	if len(chain) == 0 {
		return errors.New("store certificate: empty chain")
	}
	leaf := chain[0]
	id, _ := identityOf(leaf)
	row := certificateRow{
		Serial: leaf.SerialNumber.String(), TenantID: id.TenantID, EnrolmentID: id.EnrolmentID,
		Subject: leaf.Subject.String(), NotBefore: leaf.NotBefore.UTC(), NotAfter: leaf.NotAfter.UTC(),
		Der: leaf.Raw, Purpose: string(PurposeOf(leaf)), CreatedAt: d.now().UTC(),
	}
	if err := d.db.Create(&row).Error; err != nil {
		return fmt.Errorf("store certificate %s: %w", row.Serial, err)
	}
	return nil
}

// GetCertificate returns an issued certificate by its decimal serial number.
func (d *authDB) GetCertificate(serial string) (*x509.Certificate, error) {
	var row certificateRow
	if err := d.db.Where("serial = ?", serial).Take(&row).Error; err != nil {
		return nil, notFound(err)
	}
	return x509.ParseCertificate(row.Der)
}

// GetCertificateData says nothing more about a certificate than the certificate itself.
func (d *authDB) GetCertificateData(serial string) (*stepdb.CertificateData, error) {
	if _, err := d.GetCertificate(serial); err != nil {
		return nil, err
	}
	return &stepdb.CertificateData{}, nil
}

// IsRevoked reports whether the certificate with the serial number is revoked.
func (d *authDB) IsRevoked(serial string) (bool, error) {
	read := func() (bool, error) {
		var n int64
		err := d.db.Model(&revocationRow{}).Where("serial = ?", serial).Count(&n).Error
		return n > 0, err
	}
	if d.memo == nil {
		return read()
	}
	return d.memo.Load(serial, read)
}

// Revoke records a revocation; a second revocation of the same certificate is refused with
// step's ErrAlreadyExists. With a memo, the change that drops the certificate's answer
// from every server's memory commits with the revocation.
func (d *authDB) Revoke(rci *stepdb.RevokedCertificateInfo) error {
	info, err := json.Marshal(rci)
	if err != nil {
		return err
	}
	row := revocationRow{Serial: rci.Serial, ReasonCode: rci.ReasonCode, Reason: rci.Reason,
		RevokedAt: rci.RevokedAt.UTC(), ExpiresAt: rci.ExpiresAt.UTC(), Info: string(info)}
	errExists := stepdb.ErrAlreadyExists
	err = d.db.Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errExists
		}
		if d.memo == nil {
			return nil
		}
		return d.memo.Record(tx, rci.Serial)
	})
	if d.memo != nil {
		d.memo.Forget(rci.Serial)
	}
	if errors.Is(err, errExists) {
		return err
	}
	if err != nil {
		return fmt.Errorf("revoke %s: %w", rci.Serial, err)
	}
	return nil
}

// GetRevokedCertificates returns every revocation, for the next CRL.
func (d *authDB) GetRevokedCertificates() (*[]stepdb.RevokedCertificateInfo, error) {
	var rows []revocationRow
	// Certificates that expired more than a day ago need no place on the CRL any more.
	if err := d.db.Where("expires_at > ?", d.now().Add(-24*time.Hour)).Order("revoked_at").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]stepdb.RevokedCertificateInfo, 0, len(rows))
	for _, r := range rows {
		var rci stepdb.RevokedCertificateInfo
		if err := json.Unmarshal([]byte(r.Info), &rci); err != nil {
			return nil, fmt.Errorf("revocation %s: %w", r.Serial, err)
		}
		out = append(out, rci)
	}
	return &out, nil
}

// GetCRL returns the current CRL, or an error that step recognises as "none yet".
func (d *authDB) GetCRL() (*stepdb.CertificateRevocationListInfo, error) {
	var row crlRow
	if err := d.db.Where("id = ?", "current").Take(&row).Error; err != nil {
		return nil, notFound(err)
	}
	var info stepdb.CertificateRevocationListInfo
	if err := json.Unmarshal([]byte(row.Info), &info); err != nil {
		return nil, fmt.Errorf("read CRL: %w", err)
	}
	return &info, nil
}

// StoreCRL replaces the current CRL. A CRL with the same or a lower number than the stored
// one (a replica that lost a race) does not replace it, so that a number names one CRL and
// a stored CRL is only followed by ones generated after it.
func (d *authDB) StoreCRL(info *stepdb.CertificateRevocationListInfo) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return d.db.Transaction(func(tx *gorm.DB) error {
		// The first CRL: of replicas storing it at once, one inserts and the others compare
		// with it below (locking a row that does not exist yet would not keep them apart).
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&crlRow{ID: "current", Info: string(b)})
		if res.Error != nil || res.RowsAffected == 1 {
			return res.Error
		}
		var row crlRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", "current").Take(&row).Error; err != nil {
			return err
		}
		var stored stepdb.CertificateRevocationListInfo
		if json.Unmarshal([]byte(row.Info), &stored) == nil && stored.Number >= info.Number {
			return nil
		}
		return tx.Model(&crlRow{}).Where("id = ?", "current").Update("info", string(b)).Error
	})
}

// notFound turns a missing row into the error step treats as "does not exist".
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("not found: %w", sql.ErrNoRows)
	}
	return err
}

// Shutdown leaves the database open: its life belongs to the installation, not the CA.
func (d *authDB) Shutdown() error { return nil }

// The rest of step's database interface concerns SSH certificates and one-time tokens,
// which this CA does not issue or accept.

func (d *authDB) IsSSHRevoked(string) (bool, error)              { return false, nil }
func (d *authDB) RevokeSSH(*stepdb.RevokedCertificateInfo) error { return stepdb.ErrNotImplemented }
func (d *authDB) UseToken(string, string) (bool, error)          { return false, stepdb.ErrNotImplemented }
func (d *authDB) IsSSHHost(string) (bool, error)                 { return false, nil }
func (d *authDB) GetSSHHostPrincipals() ([]string, error)        { return nil, nil }
func (d *authDB) StoreSSHCertificate(*ssh.Certificate) error     { return stepdb.ErrNotImplemented }
