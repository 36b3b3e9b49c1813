package licences

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// ReconcileJob brings a tenant's licences in line with its work policies and active
// iPhones: those of one employee when EmployeeID is set, else all of them.
type ReconcileJob struct {
	TenantID   string `json:"tenant_id"`
	EmployeeID string `json:"employee_id,omitempty"`
	// Due is the second the job was asked for, plus one: see nextSecond.
	Due time.Time `json:"due,omitzero"`
}

// Kind names the job's worker.
func (ReconcileJob) Kind() string { return "ios_vpp_reconcile" }

// nextSecond is when a job asked for now runs, and part of its arguments. A unique job
// that is running already (or finished but not yet marked so by the queue) would swallow
// a request although it may have read the rows before the change that asks; so the
// requests of one second share one job that runs a second later, as the domain does for
// new devices' policies, and never merge into a job that has started.
func nextSecond() time.Time {
	return time.Now().Truncate(time.Second).Add(time.Second).UTC()
}

// enqueueReconcile asks for the tenant's licences to be reconciled.
func enqueueReconcile(ctx context.Context, st mdm.JobStore, tenantID, employeeID string) error {
	due := nextSecond()
	return st.EnqueueJob(ctx, ReconcileJob{TenantID: tenantID, EmployeeID: employeeID, Due: due}, mdm.JobOptions{Unique: true, RunAt: due})
}

// licenceKey names the licence of one app for one employee.
type licenceKey struct{ employee, adamID string }

// ReconcileLicences is the worker of ReconcileJob. Every employee with an active iPhone
// whose work policy requires an app of the catalogue is to hold a licence of it; a
// licence nobody needs any more (the app left the policy, the employee or their last
// iPhone was removed) is given back. Licences that failed are tried again once the
// catalogue, read after the failure, shows free ones. Each reservation and release is
// audited in the transaction that records it. Nothing happens while Apple refuses the
// token.
func (lic *Service) ReconcileLicences(ctx context.Context, job ReconcileJob) error {
	tok, err := lic.token(ctx, job.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if tok.Problem != "" || !time.Now().Before(tok.ExpiresAt) {
		return nil
	}
	var employees []string // the whole tenant
	if job.EmployeeID != "" {
		employees = []string{job.EmployeeID}
	}
	want, err := lic.wantedLicences(ctx, job.TenantID, employees)
	if err != nil {
		return err
	}
	catalogue, err := lic.assets(ctx, lic.db, job.TenantID)
	if err != nil {
		return err
	}
	available, bundles := map[string]int{}, map[string]string{}
	for _, a := range catalogue {
		available[a.AdamID], bundles[a.AdamID] = a.AvailableCount, a.BundleID
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var put, drop []vppLicence
	var audits []audit.Record
	record := func(action audit.Action, l vppLicence) {
		audits = append(audits, audit.Record{Actor: "system", Action: action, Subject: audit.Employee.Of(l.EmployeeID),
			Details: audit.Fields(map[string]any{"adam_id": l.AdamID, "bundle_id": bundles[l.AdamID]})})
	}
	// What is held and wanted leaves want; what stays in it is wanted and not held.
	err = lic.eachLicenceBatch(ctx, job.TenantID, employees, func(have []vppLicence) error {
		for _, l := range have {
			k := licenceKey{l.EmployeeID, l.AdamID}
			_, wanted := want[k]
			delete(want, k)
			switch {
			case wanted && l.State == licenceFailed && available[l.AdamID] > 0 && tok.SyncedAt != nil && l.UpdatedAt.Before(*tok.SyncedAt):
				// Each reading of the catalogue gives a failed licence one more try.
				l.State, l.Error, l.UpdatedAt = licencePending, "", now
				put = append(put, l)
			case wanted && l.State == licenceReleasing && l.EventID == "":
				l.State, l.UpdatedAt = licenceAssociated, now // not given back yet: keep it
				put = append(put, l)
			case wanted, l.State == licenceReleasing:
			case l.State == licencePending, l.State == licenceFailed:
				drop = append(drop, l) // never held: nothing to give back
				record(audit.AppleLicenceRelease, l)
			default:
				l.State, l.EventID, l.UpdatedAt = licenceReleasing, "", now
				put = append(put, l)
				record(audit.AppleLicenceRelease, l)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for k := range want {
		l := vppLicence{TenantID: job.TenantID, EmployeeID: k.employee, AdamID: k.adamID, State: licencePending, UpdatedAt: now}
		put = append(put, l)
		record(audit.AppleLicenceReserve, l)
	}
	if len(put) == 0 && len(drop) == 0 {
		return nil
	}
	slices.SortFunc(audits, func(a, b audit.Record) int {
		return cmp.Compare(a.Subject+string(a.Details), b.Subject+string(b.Details))
	})
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		for _, l := range drop {
			if err := tx.Delete(&l).Error; err != nil {
				return fmt.Errorf("forget licence: %w", err)
			}
		}
		if err := putLicences(tx, put); err != nil {
			return err
		}
		for _, a := range audits {
			if err := lic.record(ctx, dom, job.TenantID, a); err != nil {
				return err
			}
		}
		due := nextSecond()
		if err := dom.EnqueueJob(ctx, AssociateJob{TenantID: job.TenantID, Due: due}, mdm.JobOptions{Unique: true, RunAt: due}); err != nil {
			return err
		}
		return dom.EnqueueJob(ctx, ReleaseJob{TenantID: job.TenantID, Due: due}, mdm.JobOptions{Unique: true, RunAt: due})
	})
}

// wantedLicences returns the licences the employees (all the tenant's when nil) are to
// hold, with the app's bundle ID: one per app of the catalogue that the work policy of one
// of their active iPhones requires.
func (lic *Service) wantedLicences(ctx context.Context, tenantID string, employees []string) (map[licenceKey]string, error) {
	catalogue, err := lic.assets(ctx, lic.db, tenantID)
	if err != nil {
		return nil, err
	}
	byID := map[string]mdm.WorkPolicy{}
	want := map[licenceKey]string{}
	err = lic.eachActiveIPhoneBatch(ctx, tenantID, employees, func(devices []mdm.Device) error {
		for _, d := range devices {
			if d.WorkPolicyID == nil {
				continue
			}
			wp, ok := byID[*d.WorkPolicyID]
			if !ok {
				// The policy with its apps (a listing of policies leaves the apps out).
				if wp, err = lic.domain.Policies().WorkPolicy(ctx, tenantID, *d.WorkPolicyID); err != nil {
					return fmt.Errorf("work policy %s: %w", *d.WorkPolicyID, err)
				}
				byID[wp.ID] = wp
			}
			for _, app := range wp.Required(mdm.PlatformIOS) {
				if a, ok := catalogue[app.AppID]; ok {
					want[licenceKey{d.EmployeeID, a.AdamID}] = app.AppID
				}
			}
		}
		return nil
	})
	return want, err
}

// eachActiveIPhoneBatch calls fn with the active iPhones of the employees, those of one
// employee at a time; with employees nil, the whole tenant's a batch of
// mdm.DeviceBatchSize at a time, so that a large fleet is never read at once.
func (lic *Service) eachActiveIPhoneBatch(ctx context.Context, tenantID string, employees []string, fn func([]mdm.Device) error) error {
	f := mdm.DeviceFilter{Platform: mdm.PlatformIOS, State: mdm.DeviceActive}
	if employees == nil {
		if err := mdm.EachDeviceBatch(ctx, lic.domain.Devices(), tenantID, f, fn); err != nil {
			return fmt.Errorf("active iPhones: %w", err)
		}
		return nil
	}
	for _, e := range distinct(employees) {
		f.EmployeeID = e
		devices, err := lic.domain.Devices().Devices(ctx, tenantID, f)
		if err != nil {
			return fmt.Errorf("active iPhones of employee %s: %w", e, err)
		}
		if err := fn(devices); err != nil {
			return err
		}
	}
	return nil
}

// policiesOf returns what is to be applied again because the employees' licences changed
// (their apps may now be installed, or their failure shown): for a few employees, the
// policy of each of their active iPhones for that device alone; for many (more than
// scopedReconcileMax), the work policies of all their iPhones, whole. It reads outside any
// transaction; applyAgain then queues the jobs in one.
func (lic *Service) policiesOf(ctx context.Context, tenantID string, employees map[string]bool) ([]mdm.ApplyPolicyJob, error) {
	if len(employees) == 0 {
		return nil, nil
	}
	var scope []string
	if len(employees) <= scopedReconcileMax {
		for e := range employees {
			scope = append(scope, e)
		}
		slices.Sort(scope)
	}
	policies := map[string]mdm.WorkPolicy{}
	var out []mdm.ApplyPolicyJob
	err := lic.eachActiveIPhoneBatch(ctx, tenantID, scope, func(devices []mdm.Device) error {
		for _, d := range devices {
			if d.WorkPolicyID == nil || !employees[d.EmployeeID] {
				continue
			}
			wp, seen := policies[*d.WorkPolicyID]
			if !seen {
				var err error
				if wp, err = lic.domain.Policies().WorkPolicy(ctx, tenantID, *d.WorkPolicyID); err != nil {
					return err
				}
				policies[wp.ID] = wp
			}
			switch {
			case scope != nil:
				out = append(out, mdm.ApplyPolicyJob{TenantID: tenantID, PolicyID: wp.ID, Version: wp.Version, DeviceID: d.ID})
			case !seen:
				out = append(out, mdm.ApplyPolicyJob{TenantID: tenantID, PolicyID: wp.ID, Version: wp.Version})
			}
		}
		return nil
	})
	return out, err
}

// applyAgain queues the jobs of policiesOf in the transaction of dom. Not unique: a job
// of the policy that is running already may have read the licences before this
// transaction commits.
func applyAgain(ctx context.Context, dom mdm.Store, jobs []mdm.ApplyPolicyJob) error {
	for _, job := range jobs {
		if err := dom.EnqueueJob(ctx, job, mdm.JobOptions{}); err != nil {
			return err
		}
	}
	return nil
}
