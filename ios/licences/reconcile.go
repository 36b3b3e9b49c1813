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

// reconcileEmployees is how many employees' iPhones and licences a reconciliation of the
// whole tenant compares at a time; a variable so that tests can make many batches of a
// few employees.
var reconcileEmployees = 500

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
	catalogue, err := lic.assets(ctx, lic.db, job.TenantID)
	if err != nil {
		return err
	}
	r := &reconciliation{lic: lic, tenantID: job.TenantID, tok: tok, catalogue: catalogue,
		available: map[string]int{}, bundles: map[string]string{}, policies: map[string]mdm.WorkPolicy{},
		now: time.Now().UTC().Truncate(time.Microsecond)}
	for _, a := range catalogue {
		r.available[a.AdamID], r.bundles[a.AdamID] = a.AvailableCount, a.BundleID
	}
	if job.EmployeeID != "" {
		err = r.employee(ctx, job.EmployeeID)
	} else {
		err = r.tenant(ctx)
	}
	if err != nil {
		return err
	}
	if len(r.put) == 0 && len(r.drop) == 0 {
		return nil
	}
	slices.SortFunc(r.audits, func(a, b audit.Record) int {
		return cmp.Compare(a.Subject+string(a.Details), b.Subject+string(b.Details))
	})
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		for _, l := range r.drop {
			if err := tx.Delete(&l).Error; err != nil {
				return fmt.Errorf("forget licence: %w", err)
			}
		}
		if err := putLicences(tx, r.put); err != nil {
			return err
		}
		for _, a := range r.audits {
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

// reconciliation is what one run of ReconcileLicences has read of the tenant and decided
// so far: the licences to write (put) and to forget (drop), and their audit records.
type reconciliation struct {
	lic       *Service
	tenantID  string
	tok       vppToken
	catalogue map[string]vppAsset // by bundle ID
	available map[string]int      // by Adam ID
	bundles   map[string]string   // by Adam ID
	policies  map[string]mdm.WorkPolicy
	now       time.Time

	put, drop []vppLicence
	audits    []audit.Record
}

// employee compares the licences of one employee with what their active iPhones want.
func (r *reconciliation) employee(ctx context.Context, employeeID string) error {
	want := map[licenceKey]bool{}
	err := r.lic.eachActiveIPhoneBatch(ctx, r.tenantID, []string{employeeID}, func(devices []mdm.Device) error {
		return r.want(ctx, want, devices)
	})
	if err != nil {
		return err
	}
	have, err := r.lic.employeeLicences(ctx, r.tenantID, []string{employeeID})
	if err != nil {
		return err
	}
	r.compare(want, have)
	r.reserve(want)
	return nil
}

// tenant compares the licences of the whole tenant with what its active iPhones want, as
// a merge in the order of employee IDs: the iPhones of the next reconcileEmployees
// employees who have one, then the licences of every employee in the range of IDs those
// cover (those with no active iPhone any more among them), and after the last batch the
// licences beyond it. So it holds one batch of employees' wants, not the fleet's.
func (r *reconciliation) tenant(ctx context.Context) error {
	f := mdm.DeviceFilter{Platform: mdm.PlatformIOS, State: mdm.DeviceActive}
	after := ""
	for {
		devices, err := r.lic.domain.Devices().EmployeeDeviceBatch(ctx, r.tenantID, f, after, reconcileEmployees)
		if err != nil {
			return fmt.Errorf("active iPhones: %w", err)
		}
		want := map[licenceKey]bool{}
		if err := r.want(ctx, want, devices); err != nil {
			return err
		}
		last := ""
		if employees := distinctEmployees(devices); len(employees) == reconcileEmployees {
			last = employees[len(employees)-1]
		}
		err = r.lic.eachLicenceBatch(ctx, r.tenantID, after, last, func(have []vppLicence) error {
			r.compare(want, have)
			return nil
		})
		if err != nil {
			return err
		}
		r.reserve(want)
		if last == "" {
			return nil
		}
		after = last
	}
}

// distinctEmployees returns the employee IDs of devices ordered by them, once each.
func distinctEmployees(devices []mdm.Device) []string {
	var out []string
	for _, d := range devices {
		if len(out) == 0 || out[len(out)-1] != d.EmployeeID {
			out = append(out, d.EmployeeID)
		}
	}
	return out
}

// want adds to want the licences the devices' employees are to hold: one per app of the
// catalogue that the work policy of one of their active iPhones requires.
func (r *reconciliation) want(ctx context.Context, want map[licenceKey]bool, devices []mdm.Device) error {
	for _, d := range devices {
		if d.WorkPolicyID == nil {
			continue
		}
		wp, ok := r.policies[*d.WorkPolicyID]
		if !ok {
			// The policy with its apps (a listing of policies leaves the apps out).
			var err error
			if wp, err = r.lic.domain.Policies().WorkPolicy(ctx, r.tenantID, *d.WorkPolicyID); err != nil {
				return fmt.Errorf("work policy %s: %w", *d.WorkPolicyID, err)
			}
			r.policies[wp.ID] = wp
		}
		for _, app := range wp.Required(mdm.PlatformIOS) {
			if a, ok := r.catalogue[app.AppID]; ok {
				want[licenceKey{d.EmployeeID, a.AdamID}] = true
			}
		}
	}
	return nil
}

// compare decides what becomes of the licences held: what is held and wanted leaves want,
// so that what stays in it is wanted and not held.
func (r *reconciliation) compare(want map[licenceKey]bool, have []vppLicence) {
	for _, l := range have {
		k := licenceKey{l.EmployeeID, l.AdamID}
		wanted := want[k]
		delete(want, k)
		switch {
		case wanted && l.State == licenceFailed && r.available[l.AdamID] > 0 && r.tok.SyncedAt != nil && l.UpdatedAt.Before(*r.tok.SyncedAt):
			// Each reading of the catalogue gives a failed licence one more try.
			l.State, l.Error, l.UpdatedAt = licencePending, "", r.now
			r.put = append(r.put, l)
		case wanted && l.State == licenceReleasing && l.EventID == "":
			l.State, l.UpdatedAt = licenceAssociated, r.now // not given back yet: keep it
			r.put = append(r.put, l)
		case wanted, l.State == licenceReleasing:
		case l.State == licencePending, l.State == licenceFailed:
			r.drop = append(r.drop, l) // never held: nothing to give back
			r.record(audit.AppleLicenceRelease, l)
		default:
			l.State, l.EventID, l.UpdatedAt = licenceReleasing, "", r.now
			r.put = append(r.put, l)
			r.record(audit.AppleLicenceRelease, l)
		}
	}
}

// reserve asks for the licences that are wanted and not held.
func (r *reconciliation) reserve(want map[licenceKey]bool) {
	for k := range want {
		l := vppLicence{TenantID: r.tenantID, EmployeeID: k.employee, AdamID: k.adamID, State: licencePending, UpdatedAt: r.now}
		r.put = append(r.put, l)
		r.record(audit.AppleLicenceReserve, l)
	}
}

// record notes the audit record of a reservation or release.
func (r *reconciliation) record(action audit.Action, l vppLicence) {
	r.audits = append(r.audits, audit.Record{Actor: "system", Action: action, Subject: audit.Employee.Of(l.EmployeeID),
		Details: audit.Fields(map[string]any{"adam_id": l.AdamID, "bundle_id": r.bundles[l.AdamID]})})
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
