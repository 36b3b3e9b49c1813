package licences

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// usersPerRequest bounds the users registered with one request.
const usersPerRequest = 100

// registerUsers makes sure Apple knows the employees of the pending licences and returns
// those it knows. An employee is registered with their ID as client user ID and their
// managed Apple account, so that Apple ties the two without an invitation. The
// registration is asynchronous at Apple; its events are awaited here, and while Apple
// has not finished them the job runs again after the poll pause. An employee without a
// managed Apple account cannot hold a licence: their licences fail with the reason.
func (lic *Service) registerUsers(ctx context.Context, sToken, tenantID string, pending []vppLicence) (map[string]bool, error) {
	employees := make([]string, 0, len(pending))
	for _, l := range pending {
		employees = append(employees, l.EmployeeID)
	}
	slices.Sort(employees)
	employees = slices.Compact(employees)
	known, err := lic.appleUsers(ctx, tenantID, employees)
	if err != nil {
		return nil, err
	}
	var create []vpp.User
	var noAccount []string
	for _, l := range pending {
		if _, ok := known[l.EmployeeID]; ok {
			continue
		}
		known[l.EmployeeID] = vppUser{State: userCreating}
		emp, err := lic.domain.Devices().Employee(ctx, tenantID, l.EmployeeID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return nil, err
		}
		if emp.ManagedAppleID == "" {
			noAccount = append(noAccount, l.EmployeeID)
			continue
		}
		create = append(create, vpp.User{ClientUserID: l.EmployeeID, ManagedAppleID: emp.ManagedAppleID})
	}
	if len(noAccount) > 0 {
		err := lic.db.WithContext(ctx).Model(&vppLicence{}).Where("tenant_id = ? AND employee_id IN ? AND state = ?", tenantID, noAccount, licencePending).
			Updates(map[string]any{"state": licenceFailed, "error": "the employee has no managed Apple account", "updated_at": time.Now().UTC()}).Error
		if err != nil {
			return nil, fmt.Errorf("record licences without an account: %w", err)
		}
	}
	for start := 0; start < len(create); start += usersPerRequest {
		part := create[start:min(start+usersPerRequest, len(create))]
		eventID, err := lic.client.CreateUsers(ctx, sToken, part)
		if err != nil {
			return nil, lic.apiFailure(ctx, tenantID, "register employees with Apple", err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		rows := make([]vppUser, len(part))
		for i, u := range part {
			rows[i] = vppUser{TenantID: tenantID, EmployeeID: u.ClientUserID, ManagedAppleID: u.ManagedAppleID, State: userCreating, EventID: eventID, UpdatedAt: now}
		}
		if err := lic.db.WithContext(ctx).CreateInBatches(rows, 200).Error; err != nil {
			return nil, fmt.Errorf("record Apple users: %w", err)
		}
	}
	if known, err = lic.appleUsers(ctx, tenantID, employees); err != nil {
		return nil, err
	}
	awaited := map[string]bool{}
	for _, u := range known {
		if u.State != userCreating || awaited[u.EventID] {
			continue
		}
		awaited[u.EventID] = true
		ev, done, err := lic.awaitEvent(ctx, sToken, tenantID, u.EventID)
		if err != nil {
			return nil, err
		}
		if !done {
			return nil, jobs.Later(lic.pause)
		}
		if err := lic.usersRegistered(ctx, tenantID, u.EventID, ev); err != nil {
			return nil, err
		}
	}
	if known, err = lic.appleUsers(ctx, tenantID, employees); err != nil {
		return nil, err
	}
	ready := map[string]bool{}
	for id, u := range known {
		ready[id] = u.State == userCreated
	}
	return ready, nil
}

// appleUsers returns the Apple users of the tenant's employees, by employee: only theirs,
// so that a pass over a few pending licences costs the same in a fleet of ten or 100,000.
func (lic *Service) appleUsers(ctx context.Context, tenantID string, employees []string) (map[string]vppUser, error) {
	out := make(map[string]vppUser, len(employees))
	for part := range slices.Chunk(employees, usersPerRead) {
		var users []vppUser
		if err := lic.db.WithContext(ctx).Where("tenant_id = ? AND employee_id IN ?", tenantID, part).Find(&users).Error; err != nil {
			return nil, fmt.Errorf("read Apple users: %w", err)
		}
		for _, u := range users {
			out[u.EmployeeID] = u
		}
	}
	return out, nil
}

// usersPerRead bounds the employees named in one read of their Apple users.
const usersPerRead = 500

// usersRegistered records that Apple knows the users of the event; users it refused are
// forgotten and their licences fail with the reason.
func (lic *Service) usersRegistered(ctx context.Context, tenantID, eventID string, ev vpp.Event) error {
	now := time.Now().UTC()
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		for _, f := range ev.Failures {
			if err := tx.Where("tenant_id = ? AND employee_id = ? AND event_id = ?", tenantID, f.ClientUserID, eventID).Delete(&vppUser{}).Error; err != nil {
				return fmt.Errorf("forget refused Apple user: %w", err)
			}
			err := tx.Model(&vppLicence{}).Where("tenant_id = ? AND employee_id = ? AND state = ?", tenantID, f.ClientUserID, licencePending).
				Updates(map[string]any{"state": licenceFailed, "error": failureReason(f), "updated_at": now}).Error
			if err != nil {
				return fmt.Errorf("record refused Apple user: %w", err)
			}
		}
		err := tx.Model(&vppUser{}).Where("tenant_id = ? AND event_id = ? AND state = ?", tenantID, eventID, userCreating).
			Updates(map[string]any{"state": userCreated, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("record Apple users: %w", err)
		}
		return nil
	})
}
