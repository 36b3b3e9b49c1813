package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// AdminCredentials are the secrets of a new administrator. They are shown once, when the
// administrator is created, and never stored in readable form.
type AdminCredentials struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	TOTPURL    string `json:"totp_url"`
}

// CreateAdmin creates an administrator of tenant t with a one-time password (to be
// changed at first sign-in) and a second-factor secret, and returns both once.
func (s *Service) CreateAdmin(ctx context.Context, actor string, t mdm.Tenant, email string, role mdm.Role) (mdm.Admin, AdminCredentials, error) {
	email, err := mdm.NormalizeEmail(email)
	if err != nil {
		return mdm.Admin{}, AdminCredentials{}, err
	}
	if _, err := mdm.ParseRole(string(role)); err != nil {
		return mdm.Admin{}, AdminCredentials{}, err
	}
	var a mdm.Admin
	var creds AdminCredentials
	err = s.atomic(ctx, func(tx mdm.Store, _ Store, at time.Time) (err error) {
		a, creds, err = s.createAdmin(ctx, tx, at, actor, t, email, role)
		return err
	})
	return a, creds, err
}

func (s *Service) createAdmin(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, email string, role mdm.Role) (mdm.Admin, AdminCredentials, error) {
	password := mdm.RandomBase32(15)
	hash, err := hashPassword(password)
	if err != nil {
		return mdm.Admin{}, AdminCredentials{}, fmt.Errorf("hash password: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "trennwand " + t.Name, AccountName: email})
	if err != nil {
		return mdm.Admin{}, AdminCredentials{}, fmt.Errorf("make second-factor secret: %w", err)
	}
	a := mdm.Admin{ID: mdm.NewID(), TenantID: t.ID, Email: email, Role: role, PasswordHash: hash,
		MustChangePassword: true, CreatedAt: at}
	if a.TOTPSecret, err = s.Settings.Sealer.Seal(totpPurpose(a.ID), []byte(key.Secret())); err != nil {
		return mdm.Admin{}, AdminCredentials{}, fmt.Errorf("seal second-factor secret: %w", err)
	}
	if err := s.Tables(tx).CreateAdmin(ctx, t.ID, &a); err != nil {
		return mdm.Admin{}, AdminCredentials{}, fmt.Errorf("create administrator %s: %w", email, err)
	}
	if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AdminCreate,
		Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"email": email, "role": role})}); err != nil {
		return mdm.Admin{}, AdminCredentials{}, err
	}
	return a, AdminCredentials{Email: email, Password: password, TOTPSecret: key.Secret(), TOTPURL: key.URL()}, nil
}

// totpPurpose binds a sealed second-factor secret to its administrator.
func totpPurpose(adminID string) string { return "admin-totp:" + adminID }

// CheckPassword reports whether password is the administrator's password; ErrBusy when
// the server could not check it in time.
func CheckPassword(a mdm.Admin, password string) (bool, error) {
	return passwordMatches(password, a.PasswordHash)
}

// TOTPSecret opens the administrator's second-factor secret.
func (s *Service) TOTPSecret(a mdm.Admin) (string, error) {
	secret, err := s.Settings.Sealer.Open(totpPurpose(a.ID), a.TOTPSecret)
	if err != nil {
		return "", fmt.Errorf("open second-factor secret of %s: %w", a.Email, err)
	}
	return string(secret), nil
}

// Bootstrap prepares a new installation: when no tenant exists yet, it creates the tenant
// "default" and its first administrator in one transaction and returns the credentials,
// which the caller shows once. On an installation that has tenants it does nothing and
// returns nil credentials. Two replicas starting at once cannot both bootstrap: the
// tenant name is unique, and the loser sees an installation that has a tenant.
func (s *Service) Bootstrap(ctx context.Context, adminEmail string) (*AdminCredentials, error) {
	tenants, err := s.Core.Tenants(ctx)
	if err != nil || len(tenants) > 0 {
		return nil, err
	}
	email, err := mdm.NormalizeEmail(adminEmail)
	if err != nil {
		return nil, fmt.Errorf("first administrator: %w", err)
	}
	var creds AdminCredentials
	err = s.atomic(ctx, func(tx mdm.Store, _ Store, at time.Time) error {
		t, err := s.Core.CreateTenantIn(ctx, tx, at, mdm.ActorSystem, mdm.DefaultTenant, "Default")
		if err != nil {
			return err
		}
		_, creds, err = s.createAdmin(ctx, tx, at, mdm.ActorSystem, t, email, mdm.RoleAdmin)
		return err
	})
	if errors.Is(err, mdm.ErrConflict) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return &creds, nil
}
