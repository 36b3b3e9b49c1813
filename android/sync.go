package android

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// messageRetention is how long a Pub/Sub message ID is remembered: longer than Pub/Sub
// keeps a message for redelivery (at most seven days).
const messageRetention = 8 * 24 * time.Hour

// SyncResult counts what a sync changed.
type SyncResult struct {
	Enrolled, Updated, Removed int
}

// SyncDevices brings the tenant's Android devices in line with devices.list, for what
// notifications missed: an enrolment whose ENROLLMENT was lost completes, a changed
// status is recorded, and a device that AMAPI no longer lists (the employee removed the
// work profile) or lists as deleted is removed. It also forgets old message IDs.
func (p *Platform) SyncDevices(ctx context.Context, t mdm.Tenant) (SyncResult, error) {
	var res SyncResult
	b, err := p.binding(ctx, t.ID)
	if err != nil {
		return res, err
	}
	reported := map[string]*ReportedDevice{}
	err = p.amapi.Devices(ctx, b.EnterpriseName, func(d *amapi.Device) error {
		rd, err := fromAMAPI(d)
		if err == nil {
			reported[rd.Name] = rd
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("sync devices of %s: %w", t.Name, err)
	}
	devices, err := p.svc.Devices(ctx, t, mdm.DeviceFilter{Platform: mdm.PlatformAndroid})
	if err != nil {
		return res, err
	}
	claims, err := p.ownershipClaims(ctx, t.ID)
	if err != nil {
		return res, err
	}
	byToken := map[string]*ReportedDevice{}
	for _, rd := range reported {
		if rd.TokenData != "" {
			byToken[rd.TokenData] = rd
		}
	}
	for _, d := range devices {
		if err := p.syncOne(ctx, t, d, reported[d.PlatformID], byToken[d.ID], claims[d.ID], &res); err != nil {
			return res, fmt.Errorf("sync device %s: %w", d.ID, err)
		}
	}
	return res, p.pruneMessages(ctx, now().Add(-messageRetention))
}

// syncOne brings one device in line: rd is what AMAPI lists under the device's name, and
// enrolled what it lists as enrolled with the device's token; claimed says that the
// device last claimed another ownership than its own.
func (p *Platform) syncOne(ctx context.Context, t mdm.Tenant, d mdm.Device, rd, enrolled *ReportedDevice, claimed bool, res *SyncResult) error {
	switch {
	case d.State == mdm.DeviceRemoved:
		return nil
	case d.State == mdm.DeviceInvited || (d.State == mdm.DeviceEnrolling && rd == nil):
		if enrolled == nil {
			return nil
		}
		if err := p.enrolled(ctx, t.ID, enrolled); err != nil && !errors.Is(err, errIgnored) {
			return err
		}
		res.Enrolled++
	case rd == nil || rd.State == "DELETED":
		if err := p.svc.ConfirmRemoval(ctx, "android:sync", t.ID, d.ID, "the work profile is gone from Google's device list"); err != nil {
			return err
		}
		res.Removed++
	case rd.Ownership != "" && rd.Ownership != d.Ownership:
		// A report of another ownership than the invitation's changes nothing; its
		// refusal is recorded once per claim.
		if err := p.checkOwnership(ctx, t.ID, d, rd); !errors.Is(err, errIgnored) {
			return err
		}
		return nil
	default:
		if claimed {
			if err := endClaim(ctx, p.db, t.ID, d.ID); err != nil {
				return err
			}
		}
		if err := p.recordHardware(ctx, t.ID, d, rd); err != nil {
			return err
		}
		st := rd.status()
		if d.OSVersion == st.OSVersion && d.SecurityPatchLevel == st.SecurityPatchLevel && d.ReportedCompliance == st.Compliance &&
			slices.Equal(splitLines(d.NonCompliance), st.NonCompliance) {
			if err := p.svc.Compliance.CheckDevice(ctx, t.ID, d.ID, rd.complianceFacts()); err != nil {
				return err
			}
			return p.recordReportedApps(ctx, t.ID, d.ID, rd)
		}
		if err := p.reportStatus(ctx, t.ID, d.ID, rd); err != nil {
			return err
		}
		res.Updated++
	}
	return nil
}

// fromAMAPI reads a listed device as a notification's device, through the same decoding,
// so that it keeps no more of it.
func fromAMAPI(d *amapi.Device) (*ReportedDevice, error) {
	data, err := d.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return decodeDevice(data)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
