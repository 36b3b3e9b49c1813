package mdm

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// AdminLifecycleStore disables administrators.
type AdminLifecycleStore interface {
	// DisableAdmin marks the tenant's administrator as disabled at `at`; ErrNotFound if the
	// tenant has none with the ID, ErrConflict if it is disabled already.
	DisableAdmin(ctx context.Context, tenantID, id string, at time.Time) error
	// DeleteAdminSessions ends every session of the administrator.
	DeleteAdminSessions(ctx context.Context, tenantID, adminID string) error
}

// Disabled reports whether the administrator was disabled.
func (a Admin) Disabled() bool { return a.DisabledAt != nil }

// Admins returns the tenant's administrators by e-mail address, the disabled ones too.
func (s *Service) Admins(ctx context.Context, t Tenant) ([]Admin, error) {
	as, err := s.store.Admins(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list administrators of %s: %w", t.Name, err)
	}
	return as, nil
}

// DisableAdmin disables one of the tenant's administrators: their sessions end at once
// and they cannot sign in again. Nobody disables themselves, and the tenant keeps at
// least one administrator with the admin role, so that it is never left without one.
func (s *Service) DisableAdmin(ctx context.Context, actor string, t Tenant, id string) error {
	if actor == "admin:"+id {
		return fmt.Errorf("%w: you cannot disable yourself", ErrConflict)
	}
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		a, err := tx.AdminByID(ctx, t.ID, id)
		if err != nil {
			return fmt.Errorf("administrator %s: %w", id, err)
		}
		if a.Role == RoleAdmin {
			if err := keepsAnAdmin(ctx, tx, t.ID, id); err != nil {
				return err
			}
		}
		if err := tx.DisableAdmin(ctx, t.ID, id, at); err != nil {
			return fmt.Errorf("disable administrator %s: %w", a.Email, err)
		}
		if err := tx.DeleteAdminSessions(ctx, t.ID, id); err != nil {
			return fmt.Errorf("end sessions of %s: %w", a.Email, err)
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AdminDisable, Subject: audit.Admin.Of(id),
			Details: audit.Fields(map[string]any{"email": a.Email, "role": a.Role})})
		return err
	})
}

// keepsAnAdmin refuses when disabling the administrator would leave the tenant without
// an enabled one of the admin role.
func keepsAnAdmin(ctx context.Context, tx Store, tenantID, leaving string) error {
	as, err := tx.Admins(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("list administrators: %w", err)
	}
	for _, a := range as {
		if a.ID != leaving && a.Role == RoleAdmin && !a.Disabled() {
			return nil
		}
	}
	return fmt.Errorf("%w: this is the tenant's last administrator with the admin role", ErrConflict)
}
