package android

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// The versions of a work profile's work apps. A status report lists the work profile's
// installed apps (applicationReports, which the work policy's AMAPI policy asks for); of
// them the platform keeps the package name and version of the apps that the device's work
// policy puts there, and nothing of any other app the report lists, whatever the reason it
// is there (DESIGN: the employer sees work apps only). The device page shows them beside
// the apps' states.

// workAppRow is the version of a work app a work profile last reported.
type workAppRow struct {
	TenantID    string `gorm:"primaryKey"`
	DeviceID    string `gorm:"primaryKey"`
	PackageName string `gorm:"primaryKey"`
	VersionName string
	VersionCode int64
	ReportedAt  time.Time
}

func (workAppRow) TableName() string { return "android_work_apps" }

// version is the app's version as the device page shows it: the name the employee sees
// with the version code in brackets.
func (r workAppRow) version() string {
	switch {
	case r.VersionName != "" && r.VersionCode > 0:
		return r.VersionName + " (" + strconv.FormatInt(r.VersionCode, 10) + ")"
	case r.VersionCode > 0:
		return strconv.FormatInt(r.VersionCode, 10)
	}
	return r.VersionName
}

// appReport is what one report lists of a device's apps.
type appReport struct {
	device mdm.Device
	apps   []ReportedApp
}

// recordWorkApps keeps, in tx, the versions of the work apps the reports list: for each
// device the apps of its work policy only. A report without an app list changes nothing,
// and a device whose kept versions are as before is not written to, so that the reports
// of a quiet fleet cost one read per batch.
func recordWorkApps(ctx context.Context, tx mdm.Store, db *gorm.DB, at time.Time, reports []appReport) error {
	byTenant := map[string][]appReport{}
	for _, r := range reports {
		if r.apps != nil {
			byTenant[r.device.TenantID] = append(byTenant[r.device.TenantID], r)
		}
	}
	policies := map[string]map[string]bool{}
	for tenantID, rs := range byTenant {
		kept := make(map[string][]workAppRow, len(rs))
		for _, r := range rs {
			wanted, err := policyApps(ctx, tx, policies, r.device)
			if err != nil {
				return err
			}
			rows := []workAppRow{}
			for _, a := range r.apps {
				if wanted[a.Package] {
					rows = append(rows, workAppRow{TenantID: tenantID, DeviceID: r.device.ID, PackageName: a.Package,
						VersionName: a.VersionName, VersionCode: a.VersionCode, ReportedAt: at})
				}
			}
			kept[r.device.ID] = rows
		}
		if err := replaceChanged(ctx, db, tenantID, kept); err != nil {
			return err
		}
	}
	return nil
}

// policyApps returns the Android apps of the device's work policy, by package name, read
// once per policy into seen.
func policyApps(ctx context.Context, tx mdm.Store, seen map[string]map[string]bool, d mdm.Device) (map[string]bool, error) {
	if d.WorkPolicyID == nil {
		return nil, nil
	}
	key := d.TenantID + " " + *d.WorkPolicyID
	if apps, ok := seen[key]; ok {
		return apps, nil
	}
	apps := map[string]bool{}
	p, err := tx.Policies().WorkPolicy(ctx, d.TenantID, *d.WorkPolicyID)
	if err != nil && !errors.Is(err, mdm.ErrNotFound) {
		return nil, fmt.Errorf("android: policy of device %s: %w", d.ID, err)
	}
	for _, a := range p.Apps {
		if a.Platform == mdm.PlatformAndroid {
			apps[a.AppID] = true
		}
	}
	seen[key] = apps
	return apps, nil
}

// replaceChanged writes the tenant's kept rows of each device whose rows differ from the
// stored ones.
func replaceChanged(ctx context.Context, db *gorm.DB, tenantID string, kept map[string][]workAppRow) error {
	ids := make([]string, 0, len(kept))
	for id := range kept {
		ids = append(ids, id)
	}
	var stored []workAppRow
	if err := db.WithContext(ctx).Where("tenant_id = ? AND device_id IN ?", tenantID, ids).Find(&stored).Error; err != nil {
		return fmt.Errorf("android: read work app versions: %w", err)
	}
	before := map[string]map[string]workAppRow{}
	for _, r := range stored {
		if before[r.DeviceID] == nil {
			before[r.DeviceID] = map[string]workAppRow{}
		}
		before[r.DeviceID][r.PackageName] = r
	}
	var changed []string
	var fresh []workAppRow
	for id, rows := range kept {
		if !sameVersions(rows, before[id]) {
			changed, fresh = append(changed, id), append(fresh, rows...)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := db.WithContext(ctx).Where("tenant_id = ? AND device_id IN ?", tenantID, changed).Delete(&workAppRow{}).Error; err != nil {
		return fmt.Errorf("android: replace work app versions: %w", err)
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := db.WithContext(ctx).CreateInBatches(fresh, 200).Error; err != nil {
		return fmt.Errorf("android: record work app versions: %w", err)
	}
	return nil
}

// sameVersions reports whether rows hold the same apps and versions as stored.
func sameVersions(rows []workAppRow, stored map[string]workAppRow) bool {
	if len(rows) != len(stored) {
		return false
	}
	for _, r := range rows {
		s, ok := stored[r.PackageName]
		if !ok || s.VersionName != r.VersionName || s.VersionCode != r.VersionCode {
			return false
		}
	}
	return true
}

// recordReportedApps keeps the work apps' versions of one report about the tenant's
// device, in a transaction of its own.
func (p *Platform) recordReportedApps(ctx context.Context, tenantID, deviceID string, rd *ReportedDevice) error {
	if rd.Apps == nil {
		return nil
	}
	return p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		d, err := tx.Devices().Device(ctx, tenantID, deviceID)
		if err != nil {
			return fmt.Errorf("android: device %s: %w", deviceID, err)
		}
		return recordWorkApps(ctx, tx, db, at, []appReport{{device: d, apps: rd.Apps}})
	})
}
