package access

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Admins returns the tenant's administrators by e-mail address, the disabled ones too.
func (s *Service) Admins(ctx context.Context, t mdm.Tenant) ([]mdm.Admin, error) {
	as, err := s.own.Admins(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list administrators of %s: %w", t.Name, err)
	}
	return as, nil
}

// AdminByEmail returns the tenant's administrator with the e-mail address (in any case);
// ErrNotFound when there is none.
func (s *Service) AdminByEmail(ctx context.Context, t mdm.Tenant, email string) (mdm.Admin, error) {
	norm, err := mdm.NormalizeEmail(email)
	if err != nil {
		return mdm.Admin{}, err
	}
	a, err := s.own.AdminByEmail(ctx, t.ID, norm)
	if err != nil {
		return mdm.Admin{}, fmt.Errorf("administrator %s of %s: %w", norm, t.Name, err)
	}
	return a, nil
}

// DisableAdmin disables one of the tenant's administrators: their sessions end at once
// and they cannot sign in again. Nobody disables themselves, and the tenant keeps at
// least one administrator with the admin role, so that it is never left without one.
func (s *Service) DisableAdmin(ctx context.Context, actor string, t mdm.Tenant, id string) error {
	if actor == "admin:"+id {
		return mdm.Refuse("refusal.disable_self", fmt.Errorf("%w: you cannot disable yourself", mdm.ErrConflict))
	}
	return s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		a, err := own.AdminByID(ctx, t.ID, id)
		if err != nil {
			return fmt.Errorf("administrator %s: %w", id, err)
		}
		if a.Role == mdm.RoleAdmin {
			if err := keepsAnAdmin(ctx, own, t.ID, id); err != nil {
				return err
			}
		}
		if err := own.DisableAdmin(ctx, t.ID, id, at); err != nil {
			return fmt.Errorf("disable administrator %s: %w", a.Email, err)
		}
		if err := own.DeleteAdminSessions(ctx, t.ID, id); err != nil {
			return fmt.Errorf("end sessions of %s: %w", a.Email, err)
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AdminDisable, Subject: audit.Admin.Of(id),
			Details: audit.Fields(map[string]any{"email": a.Email, "role": a.Role})})
		return err
	})
}

// keepsAnAdmin refuses when disabling the administrator would leave the tenant without
// an enabled one of the admin role.
func keepsAnAdmin(ctx context.Context, t Store, tenantID, leaving string) error {
	as, err := t.Admins(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("list administrators: %w", err)
	}
	for _, a := range as {
		if a.ID != leaving && a.Role == mdm.RoleAdmin && !a.Disabled() {
			return nil
		}
	}
	return mdm.Refuse("refusal.last_admin", fmt.Errorf("%w: this is the tenant's last administrator with the admin role", mdm.ErrConflict))
}
