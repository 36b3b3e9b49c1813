package ios

import (
	"context"
	"errors"
	"time"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// noToken is shown on the devices while the tenant has no Apps and Books token.
const noToken = "no Apple Apps and Books token: upload the tenant's .vpptoken (trennwand apple vpp-token upload)"

// notInCatalogue is shown on the devices for an app the tenant holds no licences of.
const notInCatalogue = "not in the tenant's Apps and Books catalogue: get licences for it in Apple Business Manager"

// licensedFunc says whether the app may be installed on the device: its employee holds
// the app's licence.
type licensedFunc func(d mdm.Device, bundleID string) bool

// licenceGate decides, for ApplyPolicy, which devices may have which apps installed. With
// licensing on, an app is installed only for an employee who holds its licence; a device
// whose licence cannot be had (no token, the app is not in the catalogue, Apple refused)
// gets the app recorded as failed with the reason, which its page and the policy's
// catalogue show; a licence on its way holds the installation back without a failure.
// It also asks for the tenant's licences to be reconciled, since the policy or its
// devices have changed.
func (p *Platform) licenceGate(ctx context.Context, t mdm.Tenant, want []wantedApp, devices []mdm.Device, have map[string][]storage.WorkApp) (licensedFunc, error) {
	if p.lic == nil || len(want) == 0 {
		return func(mdm.Device, string) bool { return true }, nil
	}
	if err := enqueueReconcile(ctx, p.svc.Store(), t.ID); err != nil {
		return nil, err
	}
	problem := ""
	tok, err := p.lic.token(ctx, t.ID)
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		problem = noToken
	case err != nil:
		return nil, err
	case tok.Problem != "":
		problem = tok.Problem
	}
	catalogue, err := p.lic.assets(ctx, p.lic.db, t.ID)
	if err != nil {
		return nil, err
	}
	rows, err := p.lic.licences(ctx, p.lic.db, t.ID)
	if err != nil {
		return nil, err
	}
	held := make(map[licenceKey]vppLicence, len(rows))
	for _, l := range rows {
		held[licenceKey{l.EmployeeID, l.AdamID}] = l
	}
	// reason returns whether the app may be installed and, if it may not, the failure to
	// show ("" while its licence is on its way).
	reason := func(d mdm.Device, bundleID string) (bool, string) {
		if problem != "" {
			return false, problem
		}
		a, ok := catalogue[bundleID]
		if !ok {
			return false, notInCatalogue
		}
		switch l := held[licenceKey{d.EmployeeID, a.AdamID}]; l.State {
		case licenceAssociated:
			return true, ""
		case licenceFailed:
			return false, l.Error
		}
		return false, ""
	}
	if err := p.recordLicenceFailures(ctx, t, want, devices, have, reason); err != nil {
		return nil, err
	}
	return func(d mdm.Device, bundleID string) bool {
		ok, _ := reason(d, bundleID)
		return ok
	}, nil
}

// recordLicenceFailures writes, for each device and wanted app whose licence cannot be
// had, the app as failed with the reason, unless it is recorded so already or installed.
func (p *Platform) recordLicenceFailures(ctx context.Context, t mdm.Tenant, want []wantedApp, devices []mdm.Device, have map[string][]storage.WorkApp,
	reason func(mdm.Device, string) (bool, string)) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	var rows []storage.WorkApp
	for _, d := range devices {
		current := map[string]storage.WorkApp{}
		for _, a := range have[d.PlatformID] {
			current[a.BundleID] = a
		}
		for _, w := range want {
			ok, why := reason(d, w.bundleID)
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
	return p.lic.tables.Atomic(ctx, func(tx *store.Tx) error { return storage.PutWorkApps(tx.DB(ctx), rows) })
}
