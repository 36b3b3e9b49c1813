package mdm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// CreateTenant creates a tenant; the first event of its audit trail records the creation.
func (s *Service) CreateTenant(ctx context.Context, actor, name, displayName string) (Tenant, error) {
	var t Tenant
	err := s.atomic(ctx, func(tx Store, at time.Time) (err error) {
		t, err = s.CreateTenantIn(ctx, tx, at, actor, name, displayName)
		return err
	})
	return t, err
}

// CreateTenantIn creates a tenant in the transaction tx, for a sub-domain that creates
// the tenant together with rows of its own (the first administrator).
func (s *Service) CreateTenantIn(ctx context.Context, tx Store, at time.Time, actor, name, displayName string) (Tenant, error) {
	if err := ValidateTenantName(name); err != nil {
		return Tenant{}, err
	}
	displayName = strings.TrimSpace(displayName)
	if displayName == "" {
		displayName = name
	}
	t := Tenant{ID: NewID(), Name: name, DisplayName: displayName, CreatedAt: at}
	if err := tx.Tenants().CreateTenant(ctx, &t); err != nil {
		return Tenant{}, fmt.Errorf("create tenant %s: %w", name, err)
	}
	_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TenantCreate,
		Subject: audit.Tenant.Of(t.ID), Details: audit.Fields(map[string]any{"name": name, "display_name": displayName})})
	return t, err
}

// Tenant returns the tenant with the given short name.
func (s *Service) Tenant(ctx context.Context, name string) (Tenant, error) {
	t, err := s.store.Tenants().TenantByName(ctx, name)
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant %q: %w", name, err)
	}
	return t, nil
}

// Tenants returns every tenant of the installation.
func (s *Service) Tenants(ctx context.Context) ([]Tenant, error) {
	return s.store.Tenants().Tenants(ctx)
}
