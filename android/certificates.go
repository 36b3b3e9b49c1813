package android

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
	"google.golang.org/api/googleapi"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/pki"
)

// Device certificates reach a work profile through a companion app, because AMAPI itself
// cannot carry a per-device secret: every device of a work policy shares one AMAPI policy.
// The app is force-installed in the work profile with the CERT_INSTALL delegated scope and
// a managed configuration that holds only per-policy values: the SCEP URL, the URL where
// it asks for a one-time challenge, and the policy's bootstrap secret. It names its work
// profile by the enrolment-specific ID (DevicePolicyManager.getEnrollmentSpecificId),
// which AMAPI reports as hardwareInfo.enterpriseSpecificId and the platform keeps from the
// ENROLLMENT notification; the challenge it gets is bound to that device and works once.

// Defaults of a tenant's certificate settings.
const (
	DefaultCompanionPackage = "de.trennwand.companion"
	DefaultKeyAlias         = "trennwand-device"
)

// CertificateSettings are what a tenant chooses when it enables device certificates.
type CertificateSettings struct {
	// CompanionPackage is the companion app's package name (DefaultCompanionPackage when
	// empty).
	CompanionPackage string
	// KeyAlias is the alias the app installs the key under (DefaultKeyAlias when empty).
	KeyAlias string
	// KeyApps are the work apps that may use the key (choosePrivateKeyRules), for
	// example the mail app or the VPN client.
	KeyApps []string
}

// Challenger makes the one-time SCEP challenges: the installation's pki.CA.
type Challenger interface {
	NewChallenge(ctx context.Context, id pki.Identity) (pki.Challenge, error)
	SCEPURL() string
}

// certificateSettings is a tenant's CertificateSettings as stored.
type certificateSettings struct {
	TenantID         string `gorm:"primaryKey"`
	CompanionPackage string
	KeyAlias         string
	KeyApps          string
	UpdatedAt        time.Time
}

func (certificateSettings) TableName() string { return "android_certificate_settings" }

// bootstrapSecret is the hash of a work policy's bootstrap secret.
type bootstrapSecret struct {
	TenantID     string `gorm:"primaryKey"`
	WorkPolicyID string `gorm:"primaryKey"`
	SecretHash   []byte
	UpdatedAt    time.Time
}

func (bootstrapSecret) TableName() string { return "android_bootstrap_secrets" }

// maxPackageName bounds an Android package name the platform accepts.
const maxPackageName = 200

var (
	packagePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`)
	aliasPattern   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

// normalize fills the defaults and checks the names.
func (s CertificateSettings) normalize() (CertificateSettings, error) {
	if s.CompanionPackage == "" {
		s.CompanionPackage = DefaultCompanionPackage
	}
	if s.KeyAlias == "" {
		s.KeyAlias = DefaultKeyAlias
	}
	if !aliasPattern.MatchString(s.KeyAlias) {
		return s, fmt.Errorf("%w: key alias %q: letters, digits, '.', '_' and '-', at most 64", mdm.ErrInvalid, s.KeyAlias)
	}
	for _, pkg := range append([]string{s.CompanionPackage}, s.KeyApps...) {
		if !packagePattern.MatchString(pkg) || len(pkg) > maxPackageName {
			return s, fmt.Errorf("%w: %q is not an Android package name", mdm.ErrInvalid, pkg)
		}
	}
	return s, nil
}

// EnableCertificates turns device certificates on for the tenant, or changes its settings:
// the companion app joins every one of the tenant's AMAPI policies, which are sent again
// at once (one call per work policy, and one for the baseline policy of devices without).
func (p *Platform) EnableCertificates(ctx context.Context, actor string, t mdm.Tenant, s CertificateSettings) error {
	if p.cfg.Challenges == nil {
		return fmt.Errorf("%w: the server has no CA for device certificates", mdm.ErrInvalid)
	}
	s, err := s.normalize()
	if err != nil {
		return err
	}
	b, err := p.binding(ctx, t.ID)
	if err != nil {
		return err
	}
	err = p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		row := certificateSettings{TenantID: t.ID, CompanionPackage: s.CompanionPackage, KeyAlias: s.KeyAlias,
			KeyApps: strings.Join(s.KeyApps, "\n"), UpdatedAt: at}
		if err := db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("store certificate settings: %w", err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AndroidCertificatesOn, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"companion": s.CompanionPackage, "key_alias": s.KeyAlias, "key_apps": s.KeyApps})})
		return err
	})
	if err != nil {
		return err
	}
	if err := p.sendBaseline(ctx, t.ID, b.EnterpriseName); err != nil {
		return err
	}
	policies, err := p.svc.WorkPolicy.WorkPolicies(ctx, t)
	if err != nil {
		return err
	}
	for _, wp := range policies {
		full, err := p.svc.WorkPolicy.WorkPolicy(ctx, t, wp.ID)
		if err != nil {
			return err
		}
		if err := p.applyPolicy(ctx, t, full, true, false); err != nil {
			return err
		}
	}
	return nil
}

// addCompanion adds to the work policy's AMAPI policy what certificates need, when the
// tenant has enabled them. It makes the policy's bootstrap secret new, so it is called
// only for a policy about to be sent; the devices take the new secret with the policy.
func (p *Platform) addCompanion(ctx context.Context, tenantID, workPolicyID string, out *amapi.Policy) error {
	s, err := first[certificateSettings](ctx, p.db, "tenant_id = ?", tenantID)
	if errors.Is(err, mdm.ErrNotFound) || p.cfg.Challenges == nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read certificate settings: %w", err)
	}
	secret, hash := mdm.NewSecret()
	row := bootstrapSecret{TenantID: tenantID, WorkPolicyID: workPolicyID, SecretHash: hash, UpdatedAt: now()}
	if err := p.db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("store bootstrap secret: %w", err)
	}
	c := companion{settings: s, secret: secret, scepURL: p.cfg.Challenges.SCEPURL(),
		challengeURL: p.cfg.PublicURL.JoinPath(PathCertificateChallenge).String()}
	if s.KeyApps != "" {
		c.keyApps = strings.Split(s.KeyApps, "\n")
	}
	return c.addTo(out)
}

// companion is the companion app's part of one AMAPI policy.
type companion struct {
	settings     certificateSettings
	keyApps      []string
	secret       string
	scepURL      string
	challengeURL string
}

// The keys of the companion app's managed configuration.
const (
	ConfigSCEPURL         = "scep_url"
	ConfigChallengeURL    = "challenge_url"
	ConfigBootstrapSecret = "bootstrap_secret"
	ConfigKeyAlias        = "key_alias"
)

// addTo puts the companion app into the policy, force-installed with the CERT_INSTALL
// scope and its managed configuration, and gives the key's alias to the apps that may
// use it.
func (c *companion) addTo(out *amapi.Policy) error {
	config, err := json.Marshal(map[string]string{ConfigSCEPURL: c.scepURL, ConfigChallengeURL: c.challengeURL,
		ConfigBootstrapSecret: c.secret, ConfigKeyAlias: c.settings.KeyAlias})
	if err != nil {
		return fmt.Errorf("companion configuration: %w", err)
	}
	out.Applications = append(out.Applications, &amapi.ApplicationPolicy{PackageName: c.settings.CompanionPackage,
		InstallType: "FORCE_INSTALLED", DelegatedScopes: []string{"CERT_INSTALL"}, ManagedConfiguration: googleapi.RawMessage(config)})
	if len(c.keyApps) > 0 {
		out.ChoosePrivateKeyRules = []*amapi.ChoosePrivateKeyRule{{PrivateKeyAlias: c.settings.KeyAlias, PackageNames: c.keyApps}}
	}
	return nil
}
