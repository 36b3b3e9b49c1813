package store

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// auditHead is the per-tenant head of the audit chain.
type auditHead struct {
	TenantID string `gorm:"primaryKey"`
	Seq      int64
	Hash     []byte
}

// CreateTenant stores a new tenant together with the empty head of its audit chain.
func (s *Store) CreateTenant(ctx context.Context, t *mdm.Tenant) error {
	return s.transact(ctx, func(tx *Tx) error {
		if err := tx.insert(ctx, t); err != nil {
			return err
		}
		return tx.insert(ctx, &auditHead{TenantID: t.ID, Hash: audit.GenesisHash})
	})
}

// TenantByName returns the tenant with the short name.
func (s *Store) TenantByName(ctx context.Context, name string) (mdm.Tenant, error) {
	return first[mdm.Tenant](s.db.WithContext(ctx).Where("name = ?", name))
}

// Tenants returns all tenants by name.
func (s *Store) Tenants(ctx context.Context) ([]mdm.Tenant, error) {
	var ts []mdm.Tenant
	err := s.db.WithContext(ctx).Order("name").Find(&ts).Error
	return ts, translate(err)
}
