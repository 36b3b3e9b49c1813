package directory

import (
	"cmp"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Config is how a tenant's directory is read: where, as whom, which entries, which
// attributes mean what, and what is done to leavers.
type Config struct {
	TenantID string
	LDAPURL  string `gorm:"column:ldap_url"`
	// StartTLS upgrades an ldap:// connection before binding; ldaps:// is TLS from the
	// start.
	StartTLS bool
	// CAPEM holds the CA certificates (PEM) that the directory's TLS certificate must
	// chain to, for this tenant only; empty trusts the system's roots.
	CAPEM  string `gorm:"column:ca_pem"`
	BindDN string
	// BindPassword is sealed with the master key for this tenant (PasswordPurpose).
	BindPassword []byte
	BaseDN       string
	// UserFilter selects the people; DisabledFilter, within them, the disabled ones.
	UserFilter     string
	DisabledFilter string
	// The attributes that hold the directory's ID, the e-mail address, the name, the
	// managed Apple account and the groups.
	IDAttr      string
	EmailAttr   string
	NameAttr    string
	AppleIDAttr string `gorm:"column:apple_id_attr"`
	GroupAttr   string
	// GraceDays pass between a leaver's departure and the removal of their work
	// containers; SyncMinutes between two reads of the directory.
	GraceDays      int
	SyncMinutes    int
	LastSyncAt     *time.Time
	LastSyncError  string
	LastSyncResult string
	UpdatedAt      time.Time
}

// The defaults of what a tenant does not set: an Active Directory.
const (
	DefaultUserFilter     = "(&(objectClass=user)(objectCategory=person))"
	DefaultDisabledFilter = "(userAccountControl:1.2.840.113556.1.4.803:=2)"
	DefaultIDAttr         = "objectGUID"
	DefaultEmailAttr      = "mail"
	DefaultNameAttr       = "displayName"
	DefaultGroupAttr      = "memberOf"
	DefaultGraceDays      = 14
	DefaultSyncMinutes    = 60
)

// DefaultConfig returns the settings of a tenant that has set none: no LDAP, leavers'
// work containers removed after 14 days.
func DefaultConfig(tenantID string) Config {
	return Config{TenantID: tenantID, UserFilter: DefaultUserFilter, DisabledFilter: DefaultDisabledFilter,
		IDAttr: DefaultIDAttr, EmailAttr: DefaultEmailAttr, NameAttr: DefaultNameAttr, GroupAttr: DefaultGroupAttr,
		GraceDays: DefaultGraceDays, SyncMinutes: DefaultSyncMinutes}
}

// HasLDAP reports whether the tenant's directory is read over LDAP.
func (c Config) HasLDAP() bool { return c.LDAPURL != "" }

// withDefaults fills in what c leaves empty.
func (c Config) withDefaults() Config {
	d := DefaultConfig(c.TenantID)
	c.UserFilter = cmp.Or(c.UserFilter, d.UserFilter)
	c.DisabledFilter = cmp.Or(c.DisabledFilter, d.DisabledFilter)
	c.IDAttr = cmp.Or(c.IDAttr, d.IDAttr)
	c.EmailAttr = cmp.Or(c.EmailAttr, d.EmailAttr)
	c.NameAttr = cmp.Or(c.NameAttr, d.NameAttr)
	c.GroupAttr = cmp.Or(c.GroupAttr, d.GroupAttr)
	c.GraceDays = cmp.Or(c.GraceDays, d.GraceDays)
	c.SyncMinutes = cmp.Or(c.SyncMinutes, d.SyncMinutes)
	return c
}

// Source reads a directory: the LDAP reader, given by the wiring.
type Source interface {
	// Check refuses settings the source cannot use (an address, a DN, a filter or an
	// attribute name it cannot parse), naming the setting.
	Check(c Config) error
	// Read returns every person the settings select, reading with the bind password.
	Read(ctx context.Context, c Config, password string) ([]Entry, error)
}

// UseSource gives the service the reader of LDAP directories.
func (s *Service) UseSource(src Source) { s.source = src }

// PasswordPurpose binds a tenant's sealed bind password to the tenant.
func PasswordPurpose(tenantID string) string { return "directory-bind-password:" + tenantID }

// TenantConfig returns the tenant's settings, or the defaults when it set none.
func (s *Service) TenantConfig(ctx context.Context, t mdm.Tenant) (Config, error) {
	c, err := s.Tables(s.DB).Config(ctx, t.ID)
	if errors.Is(err, mdm.ErrNotFound) {
		return DefaultConfig(t.ID), nil
	}
	return c, err
}

// Test reads the directory with the settings and the password (the stored one when
// empty) and returns how many people it selects, without storing anything.
func (s *Service) Test(ctx context.Context, t mdm.Tenant, c Config, password string) (int, error) {
	if s.source == nil {
		return 0, errors.New("directory: no LDAP reader configured")
	}
	c.TenantID = t.ID
	c = c.withDefaults()
	if err := s.check(c); err != nil {
		return 0, err
	}
	if password == "" {
		stored, err := s.TenantConfig(ctx, t)
		if err != nil {
			return 0, err
		}
		if password, err = s.password(stored); err != nil {
			return 0, err
		}
	}
	es, err := s.source.Read(ctx, c, password)
	if err != nil {
		return 0, fmt.Errorf("%w: the directory cannot be read with these settings: %v", mdm.ErrInvalid, err)
	}
	return len(es), nil
}

// SetConfig tests the settings against the directory and, if it can be read, stores them
// with the password sealed, recording the change. Settings that fail change nothing.
func (s *Service) SetConfig(ctx context.Context, actor string, t mdm.Tenant, c Config, password string) (Config, error) {
	if password == "" {
		return Config{}, fmt.Errorf("%w: the bind password is empty", mdm.ErrInvalid)
	}
	if _, err := s.Test(ctx, t, c, password); err != nil {
		return Config{}, err
	}
	c.TenantID = t.ID
	c = c.withDefaults()
	sealed, err := s.Settings.Sealer.Seal(PasswordPurpose(t.ID), []byte(password))
	if err != nil {
		return Config{}, fmt.Errorf("seal the bind password: %w", err)
	}
	c.BindPassword = sealed
	err = s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		old, err := s.Tables(tx).Config(ctx, t.ID)
		if err == nil {
			c.LastSyncAt, c.LastSyncError, c.LastSyncResult = old.LastSyncAt, old.LastSyncError, old.LastSyncResult
		} else if !errors.Is(err, mdm.ErrNotFound) {
			return err
		}
		c.UpdatedAt = at
		if err := s.Tables(tx).SaveConfig(ctx, &c); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DirectoryConfigure, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"ldap_url": c.LDAPURL, "ca_set": c.CAPEM != "", "bind_dn": c.BindDN, "base_dn": c.BaseDN,
				"filter": c.UserFilter, "grace_days": c.GraceDays, "sync_minutes": c.SyncMinutes})})
		return err
	})
	return c, err
}

// check refuses settings that cannot work, before anything is read or stored.
func (s *Service) check(c Config) error {
	if c.GraceDays < 1 || c.GraceDays > 365 {
		return fmt.Errorf("%w: the grace period must be between 1 and 365 days", mdm.ErrInvalid)
	}
	if c.SyncMinutes < 5 || c.SyncMinutes > 10080 {
		return fmt.Errorf("%w: the directory is read every 5 minutes to every 7 days", mdm.ErrInvalid)
	}
	if _, err := c.Roots(); err != nil {
		return err
	}
	if err := s.source.Check(c); err != nil {
		return fmt.Errorf("%w: %v", mdm.ErrInvalid, err)
	}
	return nil
}

// maxCAPEM bounds the CA certificates a tenant gives: a bundle of a few certificates.
const maxCAPEM = 64 << 10

// Roots returns the CA certificates the directory's TLS certificate must chain to; nil
// trusts the system's roots. A bundle that holds no certificate, or a PEM block that is
// not a certificate (a key given by mistake), is refused; text between the certificates,
// as bundles carry it, is left aside.
func (c Config) Roots() (*x509.CertPool, error) {
	if strings.TrimSpace(c.CAPEM) == "" {
		return nil, nil
	}
	bad := func(id, why string, nameValues ...string) (*x509.CertPool, error) {
		return nil, mdm.Refuse("refusal.directory_ca."+id, fmt.Errorf("%w: the directory's CA certificates: %s", mdm.ErrInvalid, why), nameValues...)
	}
	if len(c.CAPEM) > maxCAPEM {
		return bad("too_large", fmt.Sprintf("more than %d KiB; give only the CA that issued the directory's certificate", maxCAPEM>>10))
	}
	pool, rest, n := x509.NewCertPool(), []byte(c.CAPEM), 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return bad("not_certificate", fmt.Sprintf("the file holds a %s, not only certificates", block.Type), "Type", block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return bad("broken", "a certificate cannot be read: "+err.Error())
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return bad("none", "the file holds no certificate in PEM form (-----BEGIN CERTIFICATE-----)")
	}
	return pool, nil
}

// password opens the stored bind password.
func (s *Service) password(c Config) (string, error) {
	if len(c.BindPassword) == 0 {
		return "", fmt.Errorf("%w: no bind password is stored for this directory", mdm.ErrInvalid)
	}
	p, err := s.Settings.Sealer.Open(PasswordPurpose(c.TenantID), c.BindPassword)
	if err != nil {
		return "", fmt.Errorf("open the bind password: %w", err)
	}
	return string(p), nil
}
