package mdm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// CreateTenant creates a tenant; the first event of its audit trail records the creation.
func (s *Service) CreateTenant(ctx context.Context, actor, name, displayName string) (Tenant, error) {
	var t Tenant
	err := s.atomic(ctx, func(tx Store, at time.Time) (err error) {
		t, err = createTenant(ctx, tx, at, actor, name, displayName)
		return err
	})
	return t, err
}

func createTenant(ctx context.Context, tx Store, at time.Time, actor, name, displayName string) (Tenant, error) {
	if err := ValidateTenantName(name); err != nil {
		return Tenant{}, err
	}
	displayName = strings.TrimSpace(displayName)
	if displayName == "" {
		displayName = name
	}
	t := Tenant{ID: NewID(), Name: name, DisplayName: displayName, CreatedAt: at}
	if err := tx.CreateTenant(ctx, &t); err != nil {
		return Tenant{}, fmt.Errorf("create tenant %s: %w", name, err)
	}
	_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TenantCreate,
		Subject: audit.Tenant.Of(t.ID), Details: audit.Fields(map[string]any{"name": name, "display_name": displayName})})
	return t, err
}

// Tenant returns the tenant with the given short name.
func (s *Service) Tenant(ctx context.Context, name string) (Tenant, error) {
	t, err := s.store.TenantByName(ctx, name)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant %q: %w", name, err)
	}
	return t, nil
}

// Tenants returns every tenant of the installation.
func (s *Service) Tenants(ctx context.Context) ([]Tenant, error) {
	return s.store.Tenants(ctx)
}

// Bootstrap prepares a new installation: when no tenant exists yet, it creates the tenant
// "default" and its first administrator in one transaction and returns the credentials,
// which the caller shows once. On an installation that has tenants it does nothing and
// returns nil credentials. Two replicas starting at once cannot both bootstrap: the
// tenant name is unique, and the loser sees an installation that has a tenant.
func (s *Service) Bootstrap(ctx context.Context, adminEmail string) (*AdminCredentials, error) {
	tenants, err := s.store.Tenants(ctx)
	if err != nil || len(tenants) > 0 {
		return nil, err
	}
	email, err := NormalizeEmail(adminEmail)
	if err != nil {
		return nil, fmt.Errorf("first administrator: %w", err)
	}
	var creds AdminCredentials
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		t, err := createTenant(ctx, tx, at, ActorSystem, DefaultTenant, "Default")
		if err != nil {
			return err
		}
		_, creds, err = s.createAdmin(ctx, tx, at, ActorSystem, t, email, RoleAdmin)
		return err
	})
	if errors.Is(err, ErrConflict) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return &creds, nil
}
