package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// SetTenantContacts stores the tenant's display name, operator and data-protection contact.
func (e Enrolment) SetTenantContacts(ctx context.Context, tenantID, displayName, operator, privacyContact string) error {
	res := e.s.db.WithContext(ctx).Model(&mdm.Tenant{}).Where("id = ?", tenantID).
		Updates(map[string]any{"display_name": displayName, "operator_name": operator, "privacy_contact": privacyContact})
	return affectedOne(res)
}

// PendingInvitations returns the employee's usable invitations, oldest first.
func (e Enrolment) PendingInvitations(ctx context.Context, tenantID, employeeID string, at time.Time) ([]mdm.Invitation, error) {
	var out []mdm.Invitation
	err := pending(e.s.scoped(ctx, tenantID), at).Where("employee_id = ?", employeeID).
		Order("created_at, id").Find(&out).Error
	return out, translate(err)
}

// AcknowledgeInvitation records the acknowledged notice version on a pending invitation.
func (e Enrolment) AcknowledgeInvitation(ctx context.Context, tenantID, id, noticeVersion string, at time.Time) error {
	res := pending(e.s.scoped(ctx, tenantID).Model(&mdm.Invitation{}), at).Where("id = ?", id).
		Updates(map[string]any{"acknowledged_at": at, "notice_version": noticeVersion})
	return e.invitationUpdated(ctx, res, tenantID, id, at)
}

// MarkInvitationMailed records the sending of the invitation's e-mail, once.
func (e Enrolment) MarkInvitationMailed(ctx context.Context, tenantID, id string, at time.Time) error {
	res := e.s.scoped(ctx, tenantID).Model(&mdm.Invitation{}).
		Where("id = ? AND mailed_at IS NULL", id).Update("mailed_at", at)
	return e.invitationUpdated(ctx, res, tenantID, id, at)
}

// MarkInvitationsLettered records that letters of the invitations were made; an
// invitation that has a letter already keeps its first.
func (e Enrolment) MarkInvitationsLettered(ctx context.Context, tenantID string, ids []string, at time.Time) error {
	err := e.s.scoped(ctx, tenantID).Model(&mdm.Invitation{}).
		Where("id IN ? AND letter_at IS NULL", ids).Update("letter_at", at).Error
	return translate(err)
}

// UnsentInvitations returns up to limit of the tenant's invitations that are pending at
// `at` with neither e-mail nor letter, oldest first.
func (e Enrolment) UnsentInvitations(ctx context.Context, tenantID string, at time.Time, limit int) ([]mdm.Invitation, error) {
	var out []mdm.Invitation
	err := pending(e.s.scoped(ctx, tenantID), at).Where("mailed_at IS NULL AND letter_at IS NULL").
		Order("created_at, id").Limit(limit).Find(&out).Error
	return out, translate(err)
}

// pending narrows q to invitations usable at `at`.
func pending(q *gorm.DB, at time.Time) *gorm.DB {
	return q.Where("used_at IS NULL AND revoked_at IS NULL AND expires_at > ?", at)
}

// invitationUpdated turns a conditional update of one invitation into the domain's
// errors: ErrNotFound for a missing invitation, ErrConflict for one in the wrong state.
func (e Enrolment) invitationUpdated(ctx context.Context, res *gorm.DB, tenantID, id string, at time.Time) error {
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 1 {
		return nil
	}
	inv, err := e.Invitation(ctx, tenantID, id)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: the invitation is %s", mdm.ErrConflict, inv.Status(at))
}

// codeGuess is one client's count of failed code guesses in one window.
type codeGuess struct {
	ClientHash  []byte    `gorm:"primaryKey"`
	WindowStart time.Time `gorm:"primaryKey"`
	Failures    int64
}

// AddFailedGuess counts a failure and reads the new count in one upsert, which both
// databases run atomically, so that parallel guesses are all counted; then it drops the
// windows that have ended.
func (e Enrolment) AddFailedGuess(ctx context.Context, client []byte, window time.Time) (int64, error) {
	db := e.s.db.WithContext(ctx)
	row := codeGuess{ClientHash: client, WindowStart: window, Failures: 1}
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "client_hash"}, {Name: "window_start"}},
		DoUpdates: clause.Assignments(map[string]any{"failures": gorm.Expr("code_guesses.failures + 1")}),
	}, clause.Returning{Columns: []clause.Column{{Name: "failures"}}}).Create(&row).Error
	if err != nil {
		return 0, translate(err)
	}
	return row.Failures, translate(db.Where("window_start < ?", window).Delete(&codeGuess{}).Error)
}

// CreateEmployee stores a new employee of the tenant.
func (e Enrolment) CreateEmployee(ctx context.Context, tenantID string, emp *mdm.Employee) error {
	emp.TenantID = tenantID
	return e.s.insert(ctx, emp)
}

// UpdateEmployee stores the employee's name and managed Apple account.
func (e Enrolment) UpdateEmployee(ctx context.Context, tenantID string, emp *mdm.Employee) error {
	res := e.s.scoped(ctx, tenantID).Model(&mdm.Employee{}).Where("id = ?", emp.ID).
		Updates(map[string]any{"name": emp.Name, "managed_apple_id": emp.ManagedAppleID})
	return affectedOne(res)
}
