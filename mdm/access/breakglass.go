package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// BreakGlassAdmins returns the IDs of the tenant's break-glass administrators: those who
// may sign in with password and second factor while the tenant requires single sign-on.
func (o SSO) BreakGlassAdmins(ctx context.Context, tenantID string) ([]string, error) {
	return o.s.own.BreakGlassAdmins(ctx, tenantID)
}

// SetBreakGlass marks an administrator of the tenant as break-glass, or removes the mark,
// and records it. Only an enabled administrator with a password of their own can be
// marked; while the tenant requires single sign-on, the last break-glass administrator
// with the admin role keeps the mark.
func (o SSO) SetBreakGlass(ctx context.Context, actor string, t mdm.Tenant, adminID string, on bool) error {
	return o.s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		a, err := own.AdminByID(ctx, t.ID, adminID)
		if err != nil {
			return err
		}
		if on && (a.Disabled() || a.PasswordHash == "") {
			return fmt.Errorf("%w: only an enabled administrator who signs in with a password can be a break-glass administrator", mdm.ErrConflict)
		}
		if !on {
			p, err := own.SSOProvider(ctx, t.ID)
			if err != nil && !errors.Is(err, mdm.ErrNotFound) {
				return err
			}
			if err == nil && p.Required {
				if err := keepsBreakGlass(ctx, own, t.ID, a.ID); err != nil {
					return err
				}
			}
		}
		if err := own.SetBreakGlass(ctx, t.ID, a.ID, on, at); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AdminBreakGlass, Subject: audit.Admin.Of(a.ID),
			Details: audit.Fields(map[string]any{"email": a.Email, "on": on})})
		return err
	})
}

// keepsBreakGlass is ErrConflict unless the tenant has an enabled break-glass
// administrator with the admin role other than `without`.
func keepsBreakGlass(ctx context.Context, own Store, tenantID, without string) error {
	ids, err := own.BreakGlassAdmins(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, id := range slices.DeleteFunc(ids, func(id string) bool { return id == without }) {
		a, err := own.AdminByID(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if !a.Disabled() && a.Role == mdm.RoleAdmin {
			return nil
		}
	}
	return fmt.Errorf("%w: while single sign-on is required, at least one enabled administrator with the role admin stays a break-glass administrator who can sign in with a password", mdm.ErrConflict)
}

// localSignInRefused says why the administrator may not sign in with a password, or ""
// when they may: an administrator made by single sign-on has no password, and while the
// tenant requires single sign-on only break-glass administrators keep the password.
func (o SSO) localSignInRefused(ctx context.Context, a mdm.Admin) (string, error) {
	if a.PasswordHash == "" {
		return "single sign-on only", nil
	}
	p, err := o.s.own.SSOProvider(ctx, a.TenantID)
	if errors.Is(err, mdm.ErrNotFound) || (err == nil && !p.Required) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	ids, err := o.s.own.BreakGlassAdmins(ctx, a.TenantID)
	if err != nil {
		return "", err
	}
	if slices.Contains(ids, a.ID) {
		return "", nil
	}
	return "single sign-on required", nil
}
