package store

import (
	"context"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
)

// CreateWorkPolicy stores a new work policy of the tenant with its apps, at version 1.
func (s *Store) CreateWorkPolicy(ctx context.Context, tenantID string, p *mdm.WorkPolicy) error {
	p.TenantID = tenantID
	p.Version = 1
	return s.transact(ctx, func(tx *Tx) error {
		if err := tx.insert(ctx, p); err != nil {
			return err
		}
		return tx.createApps(ctx, p)
	})
}

func (s *Store) createApps(ctx context.Context, p *mdm.WorkPolicy) error {
	for i := range p.Apps {
		a := &p.Apps[i]
		a.ID = mdm.NewID()
		a.TenantID = p.TenantID
		a.WorkPolicyID = p.ID
		if err := s.insert(ctx, a); err != nil {
			return fmt.Errorf("app %s: %w", a.AppID, err)
		}
	}
	return nil
}

// WorkPolicy returns the tenant's work policy with its apps.
func (s *Store) WorkPolicy(ctx context.Context, tenantID, id string) (mdm.WorkPolicy, error) {
	p, err := byID[mdm.WorkPolicy](ctx, s, tenantID, id)
	if err != nil {
		return p, err
	}
	err = s.scoped(ctx, tenantID).Where("work_policy_id = ?", id).Order("platform, app_id").Find(&p.Apps).Error
	return p, translate(err)
}

// WorkPolicies returns the tenant's work policies by name, without their apps.
func (s *Store) WorkPolicies(ctx context.Context, tenantID string) ([]mdm.WorkPolicy, error) {
	var ps []mdm.WorkPolicy
	err := s.scoped(ctx, tenantID).Order("name").Find(&ps).Error
	return ps, translate(err)
}

// UpdateWorkPolicy replaces the policy's settings and apps if nobody changed it since
// p.Version was read, and raises the version.
func (s *Store) UpdateWorkPolicy(ctx context.Context, tenantID string, p *mdm.WorkPolicy) error {
	p.TenantID = tenantID
	return s.transact(ctx, func(tx *Tx) error {
		res := tx.scoped(ctx, tenantID).Model(&mdm.WorkPolicy{}).
			Where("id = ? AND version = ?", p.ID, p.Version).
			Updates(map[string]any{
				"name": p.Name, "description": p.Description, "version": p.Version + 1,
				"work_passcode_required": p.WorkPasscodeRequired,
				"copy_paste_to_personal": p.CopyPasteToPersonal,
				"updated_at":             p.UpdatedAt,
			})
		if err := translate(res.Error); err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			current, err := tx.WorkPolicy(ctx, tenantID, p.ID)
			if err != nil {
				return err
			}
			return fmt.Errorf("%w: work policy %q was changed meanwhile (now version %d, yours %d)", mdm.ErrConflict, current.Name, current.Version, p.Version)
		}
		if err := translate(tx.scoped(ctx, tenantID).Where("work_policy_id = ?", p.ID).Delete(&mdm.AppAssignment{}).Error); err != nil {
			return err
		}
		p.Version++
		return tx.createApps(ctx, p)
	})
}
