package android

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// A phone's ownership comes from its invitation, never from the phone: AMAPI reports
// COMPANY_OWNED for any phone set up from its setup wizard, whatever the invitation said.
// What a report says of it is checked against the device, and the hardware identifiers
// it carries are kept only for the employer's phone.

// checkOwnership refuses a phone that reports another ownership than its invitation's:
// an employee's own phone set up as company-owned (from the setup wizard) stays invited,
// nothing of it is stored, and the refusal is on record (mdm.Service.RefuseOwnershipChange).
func (p *Platform) checkOwnership(ctx context.Context, tenantID string, d mdm.Device, rd *ReportedDevice) error {
	if rd.Ownership == "" {
		return nil
	}
	err := p.svc.RefuseOwnershipChange(ctx, "android", tenantID, d, rd.Ownership)
	if errors.Is(err, mdm.ErrOwnershipChange) {
		return fmt.Errorf("%w: %v", errIgnored, err)
	}
	return err
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
