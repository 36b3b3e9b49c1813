package store

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
)

// WorkPolicies are the tables of the work policies (work_policies, app_assignments) and
// the policy each device is given, as the workpolicy sub-domain keeps them.
type WorkPolicies struct {
	s *Store
}

// WorkPoliciesOf returns the work policies' tables in tx (a transaction, or the store
// outside one).
func WorkPoliciesOf(tx mdm.Store) WorkPolicies { return WorkPolicies{s: on(tx)} }

// Policies returns the work policies in s's transaction (or outside one), for the parts
// of the core that apply a policy the workpolicy sub-domain keeps.
func (s *Store) Policies() mdm.PolicyStore { return WorkPolicies{s: s} }

// CreateWorkPolicy stores a new work policy of the tenant with its apps, at version 1.
func (w WorkPolicies) CreateWorkPolicy(ctx context.Context, tenantID string, p *mdm.WorkPolicy) error {
	p.TenantID = tenantID
	p.Version = 1
	return w.s.transact(ctx, func(tx *Tx) error {
		if err := tx.insert(ctx, p); err != nil {
			return err
		}
		return WorkPoliciesOf(tx).createApps(ctx, p)
	})
}

func (w WorkPolicies) createApps(ctx context.Context, p *mdm.WorkPolicy) error {
	for i := range p.Apps {
		a := &p.Apps[i]
		a.ID = mdm.NewID()
		a.TenantID = p.TenantID
		a.WorkPolicyID = p.ID
		if err := w.s.insert(ctx, a); err != nil {
			return fmt.Errorf("app %s: %w", a.AppID, err)
		}
	}
	return nil
}

// WorkPolicy returns the tenant's work policy with its apps.
func (w WorkPolicies) WorkPolicy(ctx context.Context, tenantID, id string) (mdm.WorkPolicy, error) {
	p, err := byID[mdm.WorkPolicy](ctx, w.s, tenantID, id)
	if err != nil {
		return p, err
	}
	err = w.s.scoped(ctx, tenantID).Where("work_policy_id = ?", id).Order("platform, app_id").Find(&p.Apps).Error
	return p, translate(err)
}

// WorkPolicies returns the tenant's work policies by name, without their apps.
func (w WorkPolicies) WorkPolicies(ctx context.Context, tenantID string) ([]mdm.WorkPolicy, error) {
	var ps []mdm.WorkPolicy
	err := w.s.scoped(ctx, tenantID).Order("name").Find(&ps).Error
	return ps, translate(err)
}

// UpdateWorkPolicy replaces the policy's settings and apps if nobody changed it since
// p.Version was read, and raises the version.
func (w WorkPolicies) UpdateWorkPolicy(ctx context.Context, tenantID string, p *mdm.WorkPolicy) error {
	p.TenantID = tenantID
	return w.s.transact(ctx, func(tx *Tx) error {
		in := WorkPoliciesOf(tx)
		res := tx.scoped(ctx, tenantID).Model(&mdm.WorkPolicy{}).
			Where("id = ? AND version = ?", p.ID, p.Version).
			Updates(map[string]any{
				"name": p.Name, "description": p.Description, "version": p.Version + 1,
				"work_passcode_required":           p.WorkPasscodeRequired,
				"copy_paste_to_personal":           p.CopyPasteToPersonal,
				"max_days_work_off":                p.PersonalUsage.MaxDaysWorkOff,
				"personal_camera_disabled":         p.PersonalUsage.PersonalCameraDisabled,
				"personal_screen_capture_disabled": p.PersonalUsage.PersonalScreenCaptureDisabled,
				"updated_at":                       p.UpdatedAt,
			})
		if err := translate(res.Error); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			current, err := in.WorkPolicy(ctx, tenantID, p.ID)
			if err != nil {
				return err
			}
			return fmt.Errorf("%w: work policy %q was changed meanwhile (now version %d, yours %d)", mdm.ErrConflict, current.Name, current.Version, p.Version)
		}
		if err := translate(tx.scoped(ctx, tenantID).Where("work_policy_id = ?", p.ID).Delete(&mdm.AppAssignment{}).Error); err != nil {
			return err
		}
		p.Version++
		return in.createApps(ctx, p)
	})
}
