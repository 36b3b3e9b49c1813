package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// CreateInvitation stores a new invitation of the tenant.
func (s *Store) CreateInvitation(ctx context.Context, tenantID string, i *mdm.Invitation) error {
	i.TenantID = tenantID
	return s.insert(ctx, i)
}

// Invitation returns the tenant's invitation with the ID.
func (s *Store) Invitation(ctx context.Context, tenantID, id string) (mdm.Invitation, error) {
	return byID[mdm.Invitation](ctx, s, tenantID, id)
}

// MarkInvitationUsed marks a pending invitation as used, in one conditional update.
func (s *Store) MarkInvitationUsed(ctx context.Context, tenantID, id string, at time.Time) error {
	res := pending(s.scoped(ctx, tenantID).Model(&mdm.Invitation{}), at).Where("id = ?", id).Update("used_at", at)
	return s.invitationUpdated(ctx, res, tenantID, id, at)
}

// InvitationByCode returns the invitation with the code hash, of whichever tenant.
func (s *Store) InvitationByCode(ctx context.Context, codeHash []byte) (mdm.Invitation, error) {
	return first[mdm.Invitation](s.db.WithContext(ctx).Where("code_hash = ?", codeHash))
}
