package workpolicy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// CreateWorkPolicy validates and stores a new work policy of the tenant with its apps, at
// version 1, and records it.
func (s *Service) CreateWorkPolicy(ctx context.Context, actor string, t mdm.Tenant, p mdm.WorkPolicy) (mdm.WorkPolicy, error) {
	if err := p.Validate(); err != nil {
		return mdm.WorkPolicy{}, err
	}
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		tables := s.Tables(tx)
		p.ID, p.CreatedAt, p.UpdatedAt = mdm.NewID(), at, at
		// The tenant's first policy is its default, so that devices get a policy without
		// a further step.
		if _, err := tables.DefaultWorkPolicy(ctx, t.ID); errors.Is(err, mdm.ErrNotFound) {
			p.Default = true
		} else if err != nil {
			return err
		}
		if err := tables.CreateWorkPolicy(ctx, t.ID, &p); err != nil {
			return fmt.Errorf("create work policy %q: %w", p.Name, err)
		}
		if err := mdm.EnqueuePolicy(ctx, tx, t.ID, p); err != nil {
			return err
		}
		return recordPolicy(ctx, tx, t, at, actor, audit.WorkPolicyCreate, p)
	})
	return p, err
}

// UpdateWorkPolicy replaces a work policy and its apps, if p.Version is still the stored
// version: a change made on an old copy is refused with ErrConflict instead of silently
// overwriting a newer one. It returns the policy at its new version.
func (s *Service) UpdateWorkPolicy(ctx context.Context, actor string, t mdm.Tenant, p mdm.WorkPolicy) (mdm.WorkPolicy, error) {
	if err := p.Validate(); err != nil {
		return mdm.WorkPolicy{}, err
	}
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		tables := s.Tables(tx)
		old, err := tables.WorkPolicy(ctx, t.ID, p.ID)
		if err != nil {
			return fmt.Errorf("work policy %s: %w", p.ID, err)
		}
		p.CreatedAt, p.UpdatedAt = old.CreatedAt, at
		if err := tables.UpdateWorkPolicy(ctx, t.ID, &p); err != nil {
			return err
		}
		// The policy reaches the devices through their platforms (Driver.ApplyPolicy), one
		// job per policy change.
		if err := mdm.EnqueuePolicy(ctx, tx, t.ID, p); err != nil {
			return err
		}
		return recordPolicy(ctx, tx, t, at, actor, audit.WorkPolicyUpdate, p)
	})
	return p, err
}

// recordPolicy writes the audit event of a policy change: which apps, not their
// configuration, which may hold server addresses and the like.
func recordPolicy(ctx context.Context, tx mdm.Store, t mdm.Tenant, at time.Time, actor string, action audit.Action, p mdm.WorkPolicy) error {
	apps := make([]string, len(p.Apps))
	for i, a := range p.Apps {
		apps[i] = string(a.Platform) + "/" + a.AppID
	}
	_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: action, Subject: audit.WorkPolicy.Of(p.ID),
		Details: audit.Fields(map[string]any{"name": p.Name, "version": p.Version, "apps": apps,
			"work_passcode_required": p.WorkPasscodeRequired, "copy_paste_to_personal": p.CopyPasteToPersonal,
			"max_days_work_off": p.PersonalUsage.MaxDaysWorkOff, "personal_camera_disabled": p.PersonalUsage.PersonalCameraDisabled,
			"personal_screen_capture_disabled": p.PersonalUsage.PersonalScreenCaptureDisabled})})
	return err
}

// SetDefaultWorkPolicy makes a policy the one newly enrolled devices of the tenant get.
func (s *Service) SetDefaultWorkPolicy(ctx context.Context, actor string, t mdm.Tenant, policyID string) error {
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		if err := s.Tables(tx).SetDefaultWorkPolicy(ctx, t.ID, policyID); err != nil {
			return fmt.Errorf("work policy %s: %w", policyID, err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.WorkPolicyDefault, Subject: audit.WorkPolicy.Of(policyID),
			Details: audit.NoDetails})
		return err
	})
}

// WorkPolicies returns the tenant's work policies by name, without their apps.
func (s *Service) WorkPolicies(ctx context.Context, t mdm.Tenant) ([]mdm.WorkPolicy, error) {
	ps, err := s.Tables(s.DB).WorkPolicies(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list work policies of %s: %w", t.Name, err)
	}
	return ps, nil
}

// WorkPolicy returns the tenant's work policy with its apps.
func (s *Service) WorkPolicy(ctx context.Context, t mdm.Tenant, id string) (mdm.WorkPolicy, error) {
	p, err := s.Tables(s.DB).WorkPolicy(ctx, t.ID, id)
	if err != nil {
		return mdm.WorkPolicy{}, fmt.Errorf("work policy %s: %w", id, err)
	}
	return p, nil
}
