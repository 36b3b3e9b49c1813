package mdm

import (
	"context"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm/audit"
)

// CreateAdmin creates an administrator of tenant t with a one-time password (to be
// changed at first sign-in) and a second-factor secret, and returns both once.
func (s *Service) CreateAdmin(ctx context.Context, actor string, t Tenant, email string, role Role) (Admin, AdminCredentials, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Admin{}, AdminCredentials{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Admin{}, AdminCredentials{}, err
	}
	var a Admin
	var creds AdminCredentials
	err = s.atomic(ctx, func(tx Store, at time.Time) (err error) {
		a, creds, err = s.createAdmin(ctx, tx, at, actor, t, email, role)
		return err
	})
	return a, creds, err
}

func (s *Service) createAdmin(ctx context.Context, tx Store, at time.Time, actor string, t Tenant, email string, role Role) (Admin, AdminCredentials, error) {
	password := randomBase32(15)
	hash, err := hashPassword(password)
	if err != nil {
		return Admin{}, AdminCredentials{}, fmt.Errorf("hash password: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "trennwand " + t.Name, AccountName: email})
	if err != nil {
		return Admin{}, AdminCredentials{}, fmt.Errorf("make second-factor secret: %w", err)
	}
	a := Admin{ID: NewID(), TenantID: t.ID, Email: email, Role: role, PasswordHash: hash,
		MustChangePassword: true, CreatedAt: at}
	if a.TOTPSecret, err = s.sealer.Seal(totpPurpose(a.ID), []byte(key.Secret())); err != nil {
		return Admin{}, AdminCredentials{}, fmt.Errorf("seal second-factor secret: %w", err)
	}
	if err := tx.CreateAdmin(ctx, t.ID, &a); err != nil {
		return Admin{}, AdminCredentials{}, fmt.Errorf("create administrator %s: %w", email, err)
	}
	if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AdminCreate,
		Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"email": email, "role": role})}); err != nil {
		return Admin{}, AdminCredentials{}, err
	}
	return a, AdminCredentials{Email: email, Password: password, TOTPSecret: key.Secret(), TOTPURL: key.URL()}, nil
}

// totpPurpose binds a sealed second-factor secret to its administrator.
func totpPurpose(adminID string) string { return "admin-totp:" + adminID }

// CheckPassword reports whether password is the administrator's password; ErrBusy when
// the server could not check it in time.
func (a Admin) CheckPassword(password string) (bool, error) {
	return passwordMatches(password, a.PasswordHash)
}

// TOTPSecret opens the administrator's second-factor secret.
func (s *Service) TOTPSecret(a Admin) (string, error) {
	secret, err := s.sealer.Open(totpPurpose(a.ID), a.TOTPSecret)
	if err != nil {
		return "", fmt.Errorf("open second-factor secret of %s: %w", a.Email, err)
	}
	return string(secret), nil
}
