package store

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Tenants are the tenants, with the heads of their audit chains, and the settings of the
// whole installation: what exists before and beside any one tenant's rows.
type Tenants struct{ s *Store }

// Tenants returns the tenants' tables in s's transaction (or outside one), as the core
// reaches them through mdm.Store.
func (s *Store) Tenants() mdm.TenantStore { return Tenants{s: s} }

// auditHead is the per-tenant head of the audit chain.
type auditHead struct {
	TenantID string `gorm:"primaryKey"`
	Seq      int64
	Hash     []byte
}

// CreateTenant stores a new tenant together with the empty head of its audit chain.
func (tn Tenants) CreateTenant(ctx context.Context, t *mdm.Tenant) error {
	return tn.s.transact(ctx, func(tx *Tx) error {
		if err := tx.insert(ctx, t); err != nil {
			return err
		}
		return tx.insert(ctx, &auditHead{TenantID: t.ID, Hash: audit.GenesisHash})
	})
}

// TenantByID returns the tenant with the ID.
func (tn Tenants) TenantByID(ctx context.Context, id string) (mdm.Tenant, error) {
	return first[mdm.Tenant](tn.s.db.WithContext(ctx).Where("id = ?", id))
}

// TenantByName returns the tenant with the short name.
func (tn Tenants) TenantByName(ctx context.Context, name string) (mdm.Tenant, error) {
	return first[mdm.Tenant](tn.s.db.WithContext(ctx).Where("name = ?", name))
}

// Tenants returns all tenants by name.
func (tn Tenants) Tenants(ctx context.Context) ([]mdm.Tenant, error) {
	var ts []mdm.Tenant
	err := tn.s.db.WithContext(ctx).Order("name").Find(&ts).Error
	return ts, translate(err)
}

// SetLostModeText stores what the tenant's phones show in lost mode.
func (tn Tenants) SetLostModeText(ctx context.Context, tenantID string, t mdm.LostModeText) error {
	res := tn.s.db.WithContext(ctx).Model(&mdm.Tenant{}).Where("id = ?", tenantID).
		Updates(map[string]any{"lost_message": t.Message, "lost_phone_number": t.PhoneNumber, "lost_footnote": t.Footnote})
	return affectedOne(res)
}
