package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// ssoProviderRow is a tenant's provider as stored: lists one entry a line.
type ssoProviderRow struct {
	TenantID         string `gorm:"primaryKey"`
	DisplayName      string
	Issuer           string
	ClientID         string
	ClientSecret     []byte
	Scopes           string
	GroupsClaim      string
	AdminGroups      string
	HelpdeskGroups   string
	DPOGroups        string `gorm:"column:dpo_groups"`
	MFA              string `gorm:"column:mfa"`
	MFAValues        string `gorm:"column:mfa_values"`
	Required         bool
	EmployeesConfirm bool
	UpdatedAt        time.Time
}

func (ssoProviderRow) TableName() string { return "sso_providers" }

// lines and unlines keep a list as one entry a line (the entries hold no line breaks).
func lines(l []string) string { return strings.Join(l, "\n") }

func unlines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// ssoSignInRow is a sign-in sent to a provider.
type ssoSignInRow struct {
	StateHash   []byte `gorm:"primaryKey"`
	TenantID    string
	Nonce       string
	Verifier    []byte
	LinkAdminID string
	ExpiresAt   time.Time
}

func (ssoSignInRow) TableName() string { return "sso_sign_ins" }

// ssoIdentityRow links an administrator to a person at a provider.
type ssoIdentityRow struct {
	TenantID, AdminID, Issuer, Subject string
	LinkedAt                           time.Time
}

func (ssoIdentityRow) TableName() string { return "admin_sso_identities" }

// breakGlassRow marks a break-glass administrator.
type breakGlassRow struct {
	TenantID, AdminID string
	MarkedAt          time.Time
}

func (breakGlassRow) TableName() string { return "admin_break_glass" }

// SSOProvider returns the tenant's provider.
func (a Access) SSOProvider(ctx context.Context, tenantID string) (access.SSOProvider, error) {
	r, err := first[ssoProviderRow](a.s.scoped(ctx, tenantID))
	if err != nil {
		return access.SSOProvider{}, err
	}
	return access.SSOProvider{TenantID: r.TenantID, DisplayName: r.DisplayName, Issuer: r.Issuer, ClientID: r.ClientID,
		ClientSecret: r.ClientSecret, Scopes: unlines(r.Scopes), GroupsClaim: r.GroupsClaim, AdminGroups: unlines(r.AdminGroups),
		HelpdeskGroups: unlines(r.HelpdeskGroups), DPOGroups: unlines(r.DPOGroups), MFA: access.MFARule(r.MFA),
		MFAValues: unlines(r.MFAValues), Required: r.Required, EmployeesConfirm: r.EmployeesConfirm, UpdatedAt: r.UpdatedAt}, nil
}

// PutSSOProvider stores the tenant's provider in place of any earlier one.
func (a Access) PutSSOProvider(ctx context.Context, p *access.SSOProvider) error {
	r := ssoProviderRow{TenantID: p.TenantID, DisplayName: p.DisplayName, Issuer: p.Issuer, ClientID: p.ClientID,
		ClientSecret: p.ClientSecret, Scopes: lines(p.Scopes), GroupsClaim: p.GroupsClaim, AdminGroups: lines(p.AdminGroups),
		HelpdeskGroups: lines(p.HelpdeskGroups), DPOGroups: lines(p.DPOGroups), MFA: string(p.MFA), MFAValues: lines(p.MFAValues),
		Required: p.Required, EmployeesConfirm: p.EmployeesConfirm, UpdatedAt: p.UpdatedAt}
	return translate(a.s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}}, UpdateAll: true}).Create(&r).Error)
}

// CreateSSOSignIn stores a sign-in sent to a provider and forgets those run out.
func (a Access) CreateSSOSignIn(ctx context.Context, p *access.SSOPending, now time.Time) error {
	db := a.s.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", now).Delete(&ssoSignInRow{}).Error; err != nil {
		return translate(err)
	}
	return translate(db.Create(&ssoSignInRow{StateHash: p.StateHash, TenantID: p.TenantID, Nonce: p.Nonce, Verifier: p.Verifier,
		LinkAdminID: p.LinkAdminID, ExpiresAt: p.ExpiresAt}).Error)
}

// TakeSSOSignIn removes and returns the sign-in in one statement, so that two callbacks
// with one state cannot both take it.
func (a Access) TakeSSOSignIn(ctx context.Context, stateHash []byte) (access.SSOPending, error) {
	var rows []ssoSignInRow
	err := a.s.db.WithContext(ctx).Raw(`DELETE FROM sso_sign_ins WHERE state_hash = ?
		RETURNING state_hash, tenant_id, nonce, verifier, link_admin_id, expires_at`, stateHash).Scan(&rows).Error
	if err != nil {
		return access.SSOPending{}, translate(err)
	}
	if len(rows) != 1 {
		return access.SSOPending{}, mdm.ErrNotFound
	}
	r := rows[0]
	return access.SSOPending{StateHash: r.StateHash, TenantID: r.TenantID, Nonce: r.Nonce, Verifier: r.Verifier, LinkAdminID: r.LinkAdminID,
		ExpiresAt: r.ExpiresAt}, nil
}

// AdminBySSOIdentity returns the tenant's administrator linked to the subject at the issuer.
func (a Access) AdminBySSOIdentity(ctx context.Context, tenantID, issuer, subject string) (mdm.Admin, error) {
	id, err := first[ssoIdentityRow](a.s.scoped(ctx, tenantID).Where("issuer = ? AND subject = ?", issuer, subject))
	if err != nil {
		return mdm.Admin{}, err
	}
	return a.AdminByID(ctx, tenantID, id.AdminID)
}

// LinkSSOIdentity links the administrator to the subject at the issuer.
func (a Access) LinkSSOIdentity(ctx context.Context, tenantID, adminID, issuer, subject string, at time.Time) error {
	return a.s.insert(ctx, &ssoIdentityRow{TenantID: tenantID, AdminID: adminID, Issuer: issuer, Subject: subject, LinkedAt: at})
}

// SSOLinked reports whether the administrator is linked to a person at a provider.
func (a Access) SSOLinked(ctx context.Context, tenantID, adminID string) (bool, error) {
	var n int64
	err := a.s.scoped(ctx, tenantID).Model(&ssoIdentityRow{}).Where("admin_id = ?", adminID).Count(&n).Error
	return n > 0, translate(err)
}

// SetAdminRole changes the tenant's administrator's role.
func (a Access) SetAdminRole(ctx context.Context, tenantID, id string, role mdm.Role) error {
	return affectedOne(a.s.scoped(ctx, tenantID).Model(&mdm.Admin{}).Where("id = ?", id).Update("role", role))
}

// BreakGlassAdmins returns the IDs of the tenant's break-glass administrators.
func (a Access) BreakGlassAdmins(ctx context.Context, tenantID string) ([]string, error) {
	var ids []string
	err := a.s.scoped(ctx, tenantID).Model(&breakGlassRow{}).Order("admin_id").Pluck("admin_id", &ids).Error
	return ids, translate(err)
}

// SetBreakGlass marks the administrator as break-glass, or removes the mark; marking twice
// keeps the first mark.
func (a Access) SetBreakGlass(ctx context.Context, tenantID, adminID string, on bool, at time.Time) error {
	db := a.s.db.WithContext(ctx)
	if !on {
		return translate(a.s.scoped(ctx, tenantID).Where("admin_id = ?", adminID).Delete(&breakGlassRow{}).Error)
	}
	return translate(db.Clauses(clause.OnConflict{DoNothing: true}).Create(&breakGlassRow{TenantID: tenantID, AdminID: adminID, MarkedAt: at}).Error)
}
