package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// CreateInvitation stores a new invitation of the tenant.
func (e Enrolment) CreateInvitation(ctx context.Context, tenantID string, i *mdm.Invitation) error {
	i.TenantID = tenantID
	return e.s.insert(ctx, i)
}

// Invitation returns the tenant's invitation with the ID.
func (e Enrolment) Invitation(ctx context.Context, tenantID, id string) (mdm.Invitation, error) {
	return byID[mdm.Invitation](ctx, e.s, tenantID, id)
}

// MarkInvitationUsed marks a pending invitation as used, in one conditional update.
func (e Enrolment) MarkInvitationUsed(ctx context.Context, tenantID, id string, at time.Time) error {
	res := pending(e.s.scoped(ctx, tenantID).Model(&mdm.Invitation{}), at).Where("id = ?", id).Update("used_at", at)
	return e.invitationUpdated(ctx, res, tenantID, id, at)
}

// InvitationByCode returns the invitation with the code hash, of whichever tenant.
func (e Enrolment) InvitationByCode(ctx context.Context, codeHash []byte) (mdm.Invitation, error) {
	return first[mdm.Invitation](e.s.db.WithContext(ctx).Where("code_hash = ?", codeHash))
}

// InvitationPage returns one page of the tenant's invitations, newest first.
func (e Enrolment) InvitationPage(ctx context.Context, tenantID string, q enrolment.InvitationQuery) ([]enrolment.InvitationListing, error) {
	db := e.s.db.WithContext(ctx).Table("invitations").
		Select("invitations.*, employees.email AS employee_email").
		Joins("JOIN employees ON employees.tenant_id = invitations.tenant_id AND employees.id = invitations.employee_id").
		Where("invitations.tenant_id = ?", tenantID)
	if q.EmployeeID != "" {
		db = db.Where("invitations.employee_id = ?", q.EmployeeID)
	}
	var rows []enrolment.InvitationListing
	err := newestFirst(db, "invitations", q.Page).Find(&rows).Error
	return rows, translate(err)
}

// SetInvitationRevoked revokes a pending invitation in one conditional update.
func (e Enrolment) SetInvitationRevoked(ctx context.Context, tenantID, id string, at time.Time) error {
	res := e.s.scoped(ctx, tenantID).Model(&mdm.Invitation{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).Update("revoked_at", at)
	return e.invitationUpdated(ctx, res, tenantID, id, at)
}
