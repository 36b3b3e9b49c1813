package pki

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Sealer encrypts the CA's private keys with the installation's master key before they
// are stored.
type Sealer interface {
	Seal(purpose string, plaintext []byte) ([]byte, error)
	Open(purpose string, sealed []byte) ([]byte, error)
}

// authorityRow is the CA's one row in pki_authority.
type authorityRow struct {
	ID               string
	RootCert         []byte
	RootKey          []byte
	IntermediateCert []byte
	IntermediateKey  []byte
	RaCert           []byte
	RaKey            []byte
	CreatedAt        time.Time
}

func (authorityRow) TableName() string { return "pki_authority" }

const authorityRowID = "installation"

// loadOrCreateMaterial returns the installation's CA material, making and storing it on
// first use. Replicas starting together agree on one CA: the row's key is fixed, and the
// loser of the insert reads the winner's material.
func loadOrCreateMaterial(ctx context.Context, db *gorm.DB, sealer Sealer, name string, now time.Time) (*material, error) {
	var row authorityRow
	err := db.WithContext(ctx).Where("id = ?", authorityRowID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		m, err := newMaterial(name, now)
		if err != nil {
			return nil, fmt.Errorf("make CA: %w", err)
		}
		row, err := sealMaterial(m, sealer, now)
		if err != nil {
			return nil, err
		}
		if err := db.WithContext(ctx).Create(&row).Error; err == nil {
			return m, nil
		}
		// Another replica made the CA meanwhile; use its material.
		if err := db.WithContext(ctx).Where("id = ?", authorityRowID).Take(&row).Error; err != nil {
			return nil, fmt.Errorf("store CA: %w", err)
		}
		return openMaterial(row, sealer)
	}
	if err != nil {
		return nil, fmt.Errorf("read CA: %w", err)
	}
	return openMaterial(row, sealer)
}

func sealMaterial(m *material, sealer Sealer, now time.Time) (authorityRow, error) {
	row := authorityRow{ID: authorityRowID, RootCert: m.root.Raw, IntermediateCert: m.intermediate.Raw, RaCert: m.ra.Raw, CreatedAt: now}
	for _, k := range []struct {
		purpose string
		key     crypto.Signer
		into    *[]byte
	}{{"ca-root-key", m.rootKey, &row.RootKey}, {"ca-intermediate-key", m.intermediateKey, &row.IntermediateKey}, {"ca-ra-key", m.raKey, &row.RaKey}} {
		der, err := x509.MarshalPKCS8PrivateKey(k.key)
		if err != nil {
			return row, err
		}
		if *k.into, err = sealer.Seal(k.purpose, der); err != nil {
			return row, fmt.Errorf("seal %s: %w", k.purpose, err)
		}
	}
	return row, nil
}

func openMaterial(row authorityRow, sealer Sealer) (*material, error) {
	m := &material{}
	var err error
	for _, c := range []struct {
		der  []byte
		into **x509.Certificate
	}{{row.RootCert, &m.root}, {row.IntermediateCert, &m.intermediate}, {row.RaCert, &m.ra}} {
		if *c.into, err = x509.ParseCertificate(c.der); err != nil {
			return nil, fmt.Errorf("read CA certificate: %w", err)
		}
	}
	for _, k := range []struct {
		purpose string
		sealed  []byte
		into    *crypto.Signer
	}{{"ca-root-key", row.RootKey, &m.rootKey}, {"ca-intermediate-key", row.IntermediateKey, &m.intermediateKey}, {"ca-ra-key", row.RaKey, &m.raKey}} {
		der, err := sealer.Open(k.purpose, k.sealed)
		if err != nil {
			return nil, fmt.Errorf("open %s (is the master key the installation's?): %w", k.purpose, err)
		}
		key, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", k.purpose, err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%s is not a signing key", k.purpose)
		}
		*k.into = signer
	}
	return m, nil
}
