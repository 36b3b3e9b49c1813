package android

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// A phone's ownership comes from its invitation, never from the phone: AMAPI reports
// COMPANY_OWNED for any phone set up from its setup wizard, whatever the invitation said.
// What a report says of it is checked against the device, and the hardware identifiers
// it carries are kept only for the employer's phone.

// ownershipRefusal is the ownership a phone last claimed against its invitation's. The
// refusal of a claim is recorded once: the hourly sync sees the same phone make the same
// claim again and again, and records nothing new until the claim changes or the phone
// has reported its invitation's ownership in between.
type ownershipRefusal struct {
	TenantID  string `gorm:"primaryKey"`
	DeviceID  string `gorm:"primaryKey"`
	Claimed   mdm.Ownership
	RefusedAt time.Time
}

func (ownershipRefusal) TableName() string { return "android_ownership_refusals" }

// checkOwnership refuses a phone that reports another ownership than its invitation's:
// an employee's own phone set up as company-owned (from the setup wizard) stays invited,
// nothing of it is stored, and the refusal is on record (mdm.RecordOwnershipRefusal) —
// once per claim, in the transaction that remembers the claim. A report of the
// invitation's ownership ends the claim.
func (p *Platform) checkOwnership(ctx context.Context, tenantID string, d mdm.Device, rd *ReportedDevice) error {
	if rd.Ownership == "" {
		return nil
	}
	if rd.Ownership == d.Ownership {
		return endClaim(ctx, p.db, tenantID, d.ID)
	}
	err := p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		var last []ownershipRefusal
		if err := db.Where("tenant_id = ? AND device_id = ?", tenantID, d.ID).Limit(1).Find(&last).Error; err != nil {
			return fmt.Errorf("refused ownership of device %s: %w", d.ID, err)
		}
		if len(last) > 0 && last[0].Claimed == rd.Ownership {
			return nil // on record already
		}
		return refuseClaim(ctx, tx, db, at, tenantID, d, rd.Ownership)
	})
	if err != nil {
		return err
	}
	return claimIgnored(d)
}

// refuseClaim remembers in the transaction (db) that the device d claimed the ownership
// claimed, not its own, and records the refusal (mdm.RecordOwnershipRefusal in tx): for a
// claim that is not on record yet.
func refuseClaim(ctx context.Context, tx mdm.Store, db *gorm.DB, at time.Time, tenantID string, d mdm.Device, claimed mdm.Ownership) error {
	row := ownershipRefusal{TenantID: tenantID, DeviceID: d.ID, Claimed: claimed, RefusedAt: at}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "device_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"claimed", "refused_at"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("remember the refused ownership of device %s: %w", d.ID, err)
	}
	return mdm.RecordOwnershipRefusal(ctx, tx, at, "android", tenantID, d, claimed)
}

// claimIgnored is how a report that claims another ownership for the device d ends: it
// is dropped (errIgnored) with the refusal's reason.
func claimIgnored(d mdm.Device) error {
	return fmt.Errorf("%w: %v", errIgnored, mdm.OwnershipChangeRefused(d))
}

// endClaim forgets, in db, the ownership the device claimed last, now that it reported
// its invitation's.
func endClaim(ctx context.Context, db *gorm.DB, tenantID, deviceID string) error {
	err := db.WithContext(ctx).Where("tenant_id = ? AND device_id = ?", tenantID, deviceID).Delete(&ownershipRefusal{}).Error
	if err != nil {
		return fmt.Errorf("forget the refused ownership of device %s: %w", deviceID, err)
	}
	return nil
}

// ownershipClaims returns the devices of the tenant whose last report claimed another
// ownership than theirs: few, read once per sync, so that a device reporting its own
// ownership costs nothing more unless it claimed another before.
func (p *Platform) ownershipClaims(ctx context.Context, tenantID string) (map[string]bool, error) {
	var ids []string
	err := p.db.WithContext(ctx).Model(&ownershipRefusal{}).Where("tenant_id = ?", tenantID).Pluck("device_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("refused ownerships of tenant %s: %w", tenantID, err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// recordHardware keeps the serial number and IMEI a company-owned phone reports; of the
// employee's own phone they are dropped before anything is written.
func (p *Platform) recordHardware(ctx context.Context, tenantID string, d mdm.Device, rd *ReportedDevice) error {
	if !d.Ownership.Company() || rd.Hardware.Empty() || rd.Hardware == d.Hardware {
		return nil
	}
	return p.atomic(ctx, func(tx mdm.Store, _ *gorm.DB, at time.Time) error {
		return p.svc.RecordHardwareIDs(ctx, tx, at, tenantID, d, rd.Hardware)
	})
}
