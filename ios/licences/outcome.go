package licences

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// noLicencesLeft is shown on the device and the policy when Apple had no licence left.
const noLicencesLeft = "no licences left: buy more in Apple Business Manager (Apps and Books); it is tried again when the catalogue shows free ones"

// failureReason says in plain words why Apple refused one association.
func failureReason(f vpp.Failure) string {
	switch f.ErrorNumber {
	case vpp.ErrLicenceNotFound:
		return noLicencesLeft
	case vpp.ErrTokenExpired, vpp.ErrTokenRevoked, vpp.ErrTokenInvalid:
		return tokenProblem(&vpp.APIError{Number: f.ErrorNumber})
	}
	return fmt.Sprintf("Apple refused the licence (%d: %s)", f.ErrorNumber, f.ErrorMessage)
}

// licencesAssociated records the outcome of an association: each licence of the event is
// associated or failed with the reason, audited; an app that ran out of licences has none
// available until the catalogue says otherwise. The policies of the employees are applied
// again, which installs the apps (or shows why not).
func (lic *Service) licencesAssociated(ctx context.Context, job EventJob, ev vpp.Event) error {
	rows, err := lic.eventLicences(ctx, job, licenceAssociating)
	if err != nil {
		return err
	}
	failed := map[licenceKey]vpp.Failure{}
	for _, f := range ev.Failures {
		failed[licenceKey{f.ClientUserID, f.AdamID}] = f
	}
	employees := map[string]bool{}
	for _, l := range rows {
		employees[l.EmployeeID] = true
	}
	policies, err := lic.policiesOf(ctx, job.TenantID, employees)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		for _, l := range rows {
			f, bad := failed[licenceKey{l.EmployeeID, l.AdamID}]
			action, details := audit.AppleLicenceAssociate, map[string]any{"adam_id": l.AdamID}
			l.State, l.Error, l.UpdatedAt = licenceAssociated, "", now
			if bad {
				action, l.State, l.Error = audit.AppleLicenceFailed, licenceFailed, failureReason(f)
				details["error"] = l.Error
				if f.ErrorNumber == vpp.ErrLicenceNotFound {
					err := tx.Model(&vppAsset{}).Where("tenant_id = ? AND adam_id = ?", job.TenantID, l.AdamID).Update("available_count", 0).Error
					if err != nil {
						return fmt.Errorf("record an app without licences: %w", err)
					}
				}
			}
			if err := putLicences(tx, []vppLicence{l}); err != nil {
				return err
			}
			if err := lic.record(ctx, dom, job.TenantID, audit.Record{Actor: "system", Action: action,
				Subject: audit.Employee.Of(l.EmployeeID), Details: audit.Fields(details)}); err != nil {
				return err
			}
		}
		return applyAgain(ctx, dom, policies)
	})
}

// licencesReleased forgets the licences the event gave back, audited.
func (lic *Service) licencesReleased(ctx context.Context, job EventJob, _ vpp.Event) error {
	rows, err := lic.eventLicences(ctx, job, licenceReleasing)
	if err != nil {
		return err
	}
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		for _, l := range rows {
			if err := tx.Delete(&l).Error; err != nil {
				return fmt.Errorf("forget a released licence: %w", err)
			}
			if err := lic.record(ctx, dom, job.TenantID, audit.Record{Actor: "system", Action: audit.AppleLicenceReleased,
				Subject: audit.Employee.Of(l.EmployeeID), Details: audit.Fields(map[string]any{"adam_id": l.AdamID})}); err != nil {
				return err
			}
		}
		return nil
	})
}

// eventLicences returns the tenant's licences of the event in the state.
func (lic *Service) eventLicences(ctx context.Context, job EventJob, state string) ([]vppLicence, error) {
	var rows []vppLicence
	err := lic.db.WithContext(ctx).Where("tenant_id = ? AND event_id = ? AND state = ?", job.TenantID, job.EventID, state).
		Order("adam_id, employee_id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("licences of event %s: %w", job.EventID, err)
	}
	return rows, nil
}

// failWaitingLicences marks the licences that wait for Apple failed with the problem (an
// unusable token) and has their employees' policies applied again, so that the devices
// show it. A new token brings them back (ReconcileLicences).
func (lic *Service) failWaitingLicences(ctx context.Context, tenantID, problem string) error {
	rows, err := lic.licences(ctx, lic.db, tenantID, licencePending, licenceAssociating)
	if err != nil || len(rows) == 0 {
		return err
	}
	employees := map[string]bool{}
	for _, l := range rows {
		employees[l.EmployeeID] = true
	}
	policies, err := lic.policiesOf(ctx, tenantID, employees)
	if err != nil {
		return err
	}
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		err := tx.Model(&vppLicence{}).Where("tenant_id = ? AND state IN ?", tenantID, []string{licencePending, licenceAssociating}).
			Updates(map[string]any{"state": licenceFailed, "error": problem, "event_id": "", "updated_at": time.Now().UTC()}).Error
		if err != nil {
			return fmt.Errorf("record licences that wait for a token: %w", err)
		}
		return applyAgain(ctx, dom, policies)
	})
}
