package ios

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
)

// Licences is the licensing of work apps that ApplyPolicy asks before it installs an app
// (ios/licences has it, on Apple's Apps and Books).
type Licences interface {
	// Gate returns whether one of the employees may have the app installed now and, if
	// not, why ("" while its licence is on its way); it asks for their licences to be
	// reconciled, since their policy or devices have changed.
	Gate(ctx context.Context, tenantID string, employeeIDs []string) (func(employeeID, bundleID string) (bool, string), error)
	// Reconcile asks for the licences of the employees (all the tenant's when none are
	// named) to be brought in line with their devices.
	Reconcile(ctx context.Context, tenantID string, employeeIDs ...string) error
}

// UseLicences turns on the licensing of work apps: from now on ApplyPolicy installs an app
// only for employees who hold its licence. Without it (tests of the protocol alone) apps
// are installed without looking at licences.
func (p *Platform) UseLicences(l Licences) { p.lic = l }

// licensedFunc says whether the app may be installed on the device: its employee holds
// the app's licence.
type licensedFunc func(d mdm.Device, bundleID string) bool

// licenceGate decides, for ApplyPolicy, which devices may have which apps installed. A
// device whose licence cannot be had gets the app recorded as failed with the reason,
// which its page and the policy's catalogue show; a licence on its way holds the
// installation back without a failure.
func (p *Platform) licenceGate(ctx context.Context, t mdm.Tenant, want []wantedApp, devices []mdm.Device, have map[string][]storage.WorkApp) (licensedFunc, error) {
	if p.lic == nil || len(want) == 0 {
		return func(mdm.Device, string) bool { return true }, nil
	}
	employees := make([]string, 0, len(devices))
	for _, d := range devices {
		employees = append(employees, d.EmployeeID)
	}
	verdict, err := p.lic.Gate(ctx, t.ID, employees)
	if err != nil {
		return nil, err
	}
	if err := p.recordLicenceFailures(ctx, t, want, devices, have, verdict); err != nil {
		return nil, err
	}
	return func(d mdm.Device, bundleID string) bool {
		ok, _ := verdict(d.EmployeeID, bundleID)
		return ok
	}, nil
}

// recordLicenceFailures writes, for each device and wanted app whose licence cannot be
// had, the app as failed with the reason, unless it is recorded so already or installed.
func (p *Platform) recordLicenceFailures(ctx context.Context, t mdm.Tenant, want []wantedApp, devices []mdm.Device, have map[string][]storage.WorkApp,
	verdict func(employeeID, bundleID string) (bool, string)) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	var rows []storage.WorkApp
	for _, d := range devices {
		current := map[string]storage.WorkApp{}
		for _, a := range have[d.PlatformID] {
			current[a.BundleID] = a
		}
		for _, w := range want {
			ok, why := verdict(d.EmployeeID, w.bundleID)
			if ok || why == "" {
				continue
			}
			if c, found := current[w.bundleID]; found && (c.State != storage.AppFailed || c.Error == why) {
				continue
			}
			rows = append(rows, storage.WorkApp{EnrollmentID: d.PlatformID, BundleID: w.bundleID, TenantID: t.ID, DeviceID: d.ID,
				State: storage.AppFailed, Error: why, UpdatedAt: now})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return p.store.AppsRefused(ctx, rows)
}
