package store

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// employeeSignInRow is an employee's sign-in sent to the provider.
type employeeSignInRow struct {
	StateHash     []byte `gorm:"primaryKey"`
	TenantID      string
	InvitationID  string
	Via           string
	Code          []byte
	Nonce         string
	Verifier      []byte
	Platform      string
	NoticeVersion string
	Account       string
	ExpiresAt     time.Time
}

func (employeeSignInRow) TableName() string { return "employee_sign_ins" }

// CreateSignIn stores an employee's sign-in sent to the provider and forgets those run
// out.
func (e Enrolment) CreateSignIn(ctx context.Context, in *enrolment.SignIn, now time.Time) error {
	db := e.s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", now).Delete(&employeeSignInRow{}).Error; err != nil {
		return translate(err)
	}
	return translate(db.Create(&employeeSignInRow{StateHash: in.StateHash, TenantID: in.TenantID, InvitationID: in.InvitationID,
		Via: string(in.Via), Code: in.Code, Nonce: in.Nonce, Verifier: in.Verifier, Platform: string(in.Platform),
		NoticeVersion: in.NoticeVersion, Account: in.Account, ExpiresAt: in.ExpiresAt}).Error)
}

// TakeSignIn removes and returns the sign-in in one statement, so that two callbacks
// with one state cannot both take it.
func (e Enrolment) TakeSignIn(ctx context.Context, stateHash []byte) (enrolment.SignIn, error) {
	var rows []employeeSignInRow
	err := e.s.db.WithContext(ctx).Raw(`DELETE FROM employee_sign_ins WHERE state_hash = ?
		RETURNING state_hash, tenant_id, invitation_id, via, code, nonce, verifier, platform, notice_version, account, expires_at`,
		stateHash).Scan(&rows).Error
	if err != nil {
		return enrolment.SignIn{}, translate(err)
	}
	if len(rows) != 1 {
		return enrolment.SignIn{}, mdm.ErrNotFound
	}
	r := rows[0]
	return enrolment.SignIn{StateHash: r.StateHash, TenantID: r.TenantID, InvitationID: r.InvitationID, Via: enrolment.Via(r.Via),
		Code: r.Code, Nonce: r.Nonce, Verifier: r.Verifier, Platform: mdm.Platform(r.Platform), NoticeVersion: r.NoticeVersion,
		Account: r.Account, ExpiresAt: r.ExpiresAt}, nil
}
