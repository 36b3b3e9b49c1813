package ios

import (
	"context"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// Hardware returns what the tenant's company-owned device told of its hardware beyond
// the identifiers the core keeps (model, capacity, whether Automated Device Enrollment set
// it up); found is false before it has told, and always for a phone of the employee's
// own, which is never asked.
func (p *Platform) Hardware(ctx context.Context, tenantID, deviceID string) (h storage.Hardware, found bool, err error) {
	return p.store.HardwareOf(ctx, tenantID, deviceID)
}

// askHardware asks a company-owned device, once its enrolment has completed, what the
// employer needs to know of its hardware: model, serial number, OS version and capacity.
// The hardware does not change, so this one query is enough; the daily status query asks
// again only phones that are not managed declaratively (which report their OS version by
// themselves). The employee's own phone is never asked.
func (p *Platform) askHardware(ctx context.Context, d mdm.Device) error {
	if !companyOwned(d) {
		return nil
	}
	cmd, err := newCommand(statusCommandPrefix+mdm.NewID(), "DeviceInformation", map[string]any{"Queries": deviceQueries[true]})
	if err != nil {
		return err
	}
	_, err = p.enqueue(ctx, []string{d.PlatformID}, cmd, true, nil)
	return err
}

// hardwareAnswer holds the keys of a DeviceInformation answer that name the hardware.
type hardwareAnswer struct {
	QueryResponses struct {
		SerialNumber   string
		Model          string
		ModelName      string
		DeviceCapacity float64
	}
}

// recordHardware keeps what a company-owned device's answer to its status query says of
// its hardware: the serial number and UDID (the ID of its device channel) with the core,
// which keeps hardware identifiers of company-owned devices only
// (mdm.Service.RecordHardwareIDs), model and capacity here. An answer of any other device
// is not read for it: what the employee's own phone might say of itself is never stored.
func (p *Platform) recordHardware(ctx context.Context, d mdm.Device, r *apple.CommandResults) error {
	if !companyOwned(d) || r.Status != "Acknowledged" {
		return nil
	}
	var a hardwareAnswer
	if err := plist.Unmarshal(r.Raw, &a); err != nil || a.QueryResponses.SerialNumber == "" {
		return nil
	}
	q := a.QueryResponses
	if err := p.recordIdentifiers(ctx, d, q.SerialNumber); err != nil {
		return err
	}
	return p.store.SetHardware(ctx, storage.Hardware{DeviceID: d.ID, TenantID: d.TenantID, Model: q.Model, ModelName: q.ModelName,
		CapacityGB: q.DeviceCapacity})
}

// recordIdentifiers hands the core the serial number and the UDID of a company-owned
// device; the device channel of a device enrolment is named by its UDID.
func (p *Platform) recordIdentifiers(ctx context.Context, d mdm.Device, serial string) error {
	h := mdm.HardwareIDs{SerialNumber: serial, UDID: d.PlatformID}
	return p.store.Tables().Atomic(ctx, func(tx *store.Tx) error {
		return p.svc.RecordHardwareIDs(ctx, tx, p.svc.Now(), d.TenantID, d, h)
	})
}
