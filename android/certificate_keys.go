package android

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// The bootstrap secret is one per work policy and the enrolment-specific ID is no secret,
// so together they do not prove which work profile asks. What does: the companion app
// names, with every challenge request, the SHA-256 of the public key it puts into its
// certificate request (keyFingerprint), and the first request of an enrolment binds the
// device to that key for good. Another work profile of the policy that asks later in the
// device's name has another key: it is refused, and the refusal is a security event in the
// audit trail and on the device's page. An administrator who knows the phone made a new
// key (the app was reinstalled) allows one renewal. docs/architecture.md says what remains.

// certificateKey is the key a device's certificate requests are bound to.
type certificateKey struct {
	TenantID       string `gorm:"primaryKey"`
	DeviceID       string `gorm:"primaryKey"`
	KeyFingerprint string
	RenewalAllowed bool
	Refused        int64
	LastRefusedAt  *time.Time
	BoundAt        time.Time
}

func (certificateKey) TableName() string { return "android_certificate_keys" }

// errOtherKey means a challenge request named another key than the one the device is
// bound to.
var errOtherKey = errors.New("this work profile's certificate requests are bound to another key; IT can allow a renewal on the device's page")

// bindKey binds the device to the key on its first request and lets later requests with
// the same key through. A request with another key takes the place of the bound key when
// an administrator allowed a renewal, and is refused (errOtherKey) otherwise; the refusal
// is counted and audited as a security event, and that is committed.
func (p *Platform) bindKey(ctx context.Context, d mdm.Device, fingerprint string) error {
	refused := false
	err := p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		mine := func() *gorm.DB {
			return db.Model(&certificateKey{}).Where("tenant_id = ? AND device_id = ?", d.TenantID, d.ID)
		}
		res := db.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&certificateKey{TenantID: d.TenantID, DeviceID: d.ID, KeyFingerprint: fingerprint, BoundAt: at})
		if res.Error != nil {
			return fmt.Errorf("bind certificate key of device %s: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			return keyAudit(ctx, tx, d, at, audit.CertificateKeyBind, fingerprint)
		}
		var same int64
		if err := mine().Where("key_fingerprint = ?", fingerprint).Count(&same).Error; err != nil {
			return fmt.Errorf("read certificate key of device %s: %w", d.ID, err)
		}
		if same == 1 {
			return nil
		}
		res = mine().Where("renewal_allowed").
			Updates(map[string]any{"key_fingerprint": fingerprint, "renewal_allowed": false, "bound_at": at})
		if res.Error != nil {
			return fmt.Errorf("renew certificate key of device %s: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			return keyAudit(ctx, tx, d, at, audit.CertificateKeyRenew, fingerprint)
		}
		refused = true
		err := mine().Updates(map[string]any{"refused": gorm.Expr("refused + 1"), "last_refused_at": at}).Error
		if err != nil {
			return fmt.Errorf("count refused key of device %s: %w", d.ID, err)
		}
		return keyAudit(ctx, tx, d, at, audit.SecurityCertificateKeyMismatch, fingerprint)
	})
	if err == nil && refused {
		return errOtherKey
	}
	return err
}

func keyAudit(ctx context.Context, tx mdm.Store, d mdm.Device, at time.Time, action audit.Action, fingerprint string) error {
	_, err := tx.AppendAudit(ctx, d.TenantID, at, audit.Record{Actor: "device:" + d.ID, Action: action, Subject: audit.Device.Of(d.ID),
		Details: audit.Fields(map[string]any{"key_sha256": fingerprint, "via": "android companion"})})
	return err
}

// CertificateKey is what the device page shows of a device's certificate key.
type CertificateKey struct {
	BoundAt        time.Time
	RenewalAllowed bool
	// Refused counts the requests with another key; LastRefusedAt is the latest.
	Refused       int64
	LastRefusedAt *time.Time
}

// CertificateKey returns the key binding of the tenant's device; mdm.ErrNotFound when the
// device has asked for no certificate yet.
func (p *Platform) CertificateKey(ctx context.Context, tenantID, deviceID string) (CertificateKey, error) {
	k, err := first[certificateKey](ctx, p.db, "tenant_id = ? AND device_id = ?", tenantID, deviceID)
	if err != nil {
		return CertificateKey{}, err
	}
	return CertificateKey{BoundAt: k.BoundAt, RenewalAllowed: k.RenewalAllowed, Refused: k.Refused, LastRefusedAt: k.LastRefusedAt}, nil
}

// AllowCertificateRenewal lets the device's next challenge request bind a new key, once,
// with its audit event; mdm.ErrNotFound when the device has no key bound.
func (p *Platform) AllowCertificateRenewal(ctx context.Context, actor string, t mdm.Tenant, deviceID, reason string) error {
	return p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		res := db.Model(&certificateKey{}).Where("tenant_id = ? AND device_id = ?", t.ID, deviceID).Update("renewal_allowed", true)
		if res.Error != nil {
			return fmt.Errorf("allow certificate renewal of device %s: %w", deviceID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%w: device %s has not asked for a certificate yet, so there is nothing to renew", mdm.ErrNotFound, deviceID)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.CertificateRenewAllow, Subject: audit.Device.Of(deviceID),
			Details: audit.Fields(map[string]any{"reason": reason})})
		return err
	})
}
