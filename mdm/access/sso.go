package access

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// MFARule is how a tenant's single sign-on proves the second factor an MDM administrator
// must have.
type MFARule string

// The rules a tenant chooses from.
const (
	// MFAByAMR requires the ID token's amr claim to hold one of the provider's MFA values
	// (for example "mfa", "otp", "hwk").
	MFAByAMR MFARule = "amr"
	// MFAByACR requires the ID token's acr claim to be one of the MFA values.
	MFAByACR MFARule = "acr"
	// MFALocal asks for the administrator's own second factor (TOTP) after the provider.
	MFALocal MFARule = "local"
)

// MFARules lists the rules in the order a form offers them.
var MFARules = []MFARule{MFAByAMR, MFAByACR, MFALocal}

// SSOProvider is a tenant's OpenID Connect provider for its administrators, and for its
// employees when they confirm who they are.
type SSOProvider struct {
	TenantID    string
	DisplayName string // shown on the button "Sign in with …"
	Issuer      string // the issuer URL; its discovery document must name it exactly
	ClientID    string
	// ClientSecret is sealed with the installation's master key (see ssoSecretPurpose).
	ClientSecret []byte
	Scopes       []string // always holds "openid"
	GroupsClaim  string   // the ID token's claim that lists the person's groups
	// The groups that give each role; a person must be in groups of exactly one role.
	AdminGroups, HelpdeskGroups, DPOGroups []string
	MFA                                    MFARule
	MFAValues                              []string // amr or acr values that count as a second factor
	// Required refuses the password sign-in to everyone but break-glass administrators.
	Required bool
	// EmployeesConfirm asks employees to sign in at the provider before a phone gets its
	// enrolment, so that a lost invitation letter enrols nobody else.
	EmployeesConfirm bool
	UpdatedAt        time.Time
}

// SSOSettings is what an administrator sets for the tenant's provider. An empty client
// secret keeps the stored one.
type SSOSettings struct {
	DisplayName, Issuer, ClientID, ClientSecret, GroupsClaim string
	Scopes                                                   []string
	AdminGroups, HelpdeskGroups, DPOGroups                   []string
	MFA                                                      MFARule
	MFAValues                                                []string
	Required, EmployeesConfirm                               bool
}

// SSOStore keeps the tenants' providers, the sign-ins sent to them, which administrator is
// which person at a provider, and the break-glass administrators.
type SSOStore interface {
	// SSOProvider returns the tenant's provider; ErrNotFound when it has none.
	SSOProvider(ctx context.Context, tenantID string) (SSOProvider, error)
	// PutSSOProvider stores the tenant's provider in place of any earlier one.
	PutSSOProvider(ctx context.Context, p *SSOProvider) error
	// CreateSSOSignIn stores a sign-in sent to the provider, and forgets those that ran out
	// before now.
	CreateSSOSignIn(ctx context.Context, p *SSOPending, now time.Time) error
	// TakeSSOSignIn removes and returns the sign-in with the state's hash; ErrNotFound
	// when there is none (never made, taken before).
	TakeSSOSignIn(ctx context.Context, stateHash []byte) (SSOPending, error)
	// AdminBySSOIdentity returns the tenant's administrator who is the subject at the
	// issuer; ErrNotFound when none is.
	AdminBySSOIdentity(ctx context.Context, tenantID, issuer, subject string) (mdm.Admin, error)
	// LinkSSOIdentity records that the administrator is the subject at the issuer;
	// ErrConflict when either is linked already.
	LinkSSOIdentity(ctx context.Context, tenantID, adminID, issuer, subject string, at time.Time) error
	// SSOLinked reports whether the administrator has an identity at a provider.
	SSOLinked(ctx context.Context, tenantID, adminID string) (bool, error)
	// SetAdminRole changes the administrator's role.
	SetAdminRole(ctx context.Context, tenantID, id string, role mdm.Role) error
	// BreakGlassAdmins returns the IDs of the tenant's break-glass administrators.
	BreakGlassAdmins(ctx context.Context, tenantID string) ([]string, error)
	// SetBreakGlass marks the administrator as break-glass, or removes the mark.
	SetBreakGlass(ctx context.Context, tenantID, adminID string, on bool, at time.Time) error
}

// ssoSecretPurpose binds a sealed client secret to its tenant.
func ssoSecretPurpose(tenantID string) string { return "sso-client-secret:" + tenantID }

// Limits of the provider's settings.
const (
	maxSSOText   = 255
	maxSSOGroups = 50
)

// validate checks the settings as they come from a form or the API and returns them
// cleaned: blanks trimmed, empty list entries dropped, defaults filled in.
func (in SSOSettings) validate() (SSOSettings, error) {
	bad := func(why string) (SSOSettings, error) {
		return SSOSettings{}, fmt.Errorf("%w: single sign-on: %s", mdm.ErrInvalid, why)
	}
	in.DisplayName, in.Issuer, in.ClientID = strings.TrimSpace(in.DisplayName), strings.TrimSpace(in.Issuer), strings.TrimSpace(in.ClientID)
	in.GroupsClaim = strings.TrimSpace(in.GroupsClaim)
	if in.GroupsClaim == "" {
		in.GroupsClaim = "groups"
	}
	for _, f := range []string{in.DisplayName, in.Issuer, in.ClientID, in.ClientSecret, in.GroupsClaim} {
		if err := checkSSOText(f); err != nil {
			return SSOSettings{}, err
		}
	}
	if in.DisplayName == "" {
		return bad("give the provider a name for the sign-in button")
	}
	u, err := url.Parse(in.Issuer)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return bad("the issuer is an https URL without query or fragment, exactly as the provider's discovery document names it")
	}
	if in.ClientID == "" {
		return bad("the client ID registered at the provider is missing")
	}
	lists := []*[]string{&in.Scopes, &in.AdminGroups, &in.HelpdeskGroups, &in.DPOGroups, &in.MFAValues}
	for _, l := range lists {
		if *l, err = cleanList(*l); err != nil {
			return SSOSettings{}, err
		}
	}
	if len(in.Scopes) == 0 {
		in.Scopes = []string{"openid", "email", "profile"}
	}
	if !slices.Contains(in.Scopes, "openid") {
		in.Scopes = append([]string{"openid"}, in.Scopes...)
	}
	if len(in.AdminGroups)+len(in.HelpdeskGroups)+len(in.DPOGroups) == 0 {
		return bad("name at least one group that gives a role")
	}
	for _, g := range in.AdminGroups {
		if slices.Contains(in.HelpdeskGroups, g) || slices.Contains(in.DPOGroups, g) {
			return bad(fmt.Sprintf("the group %q gives more than one role", g))
		}
	}
	for _, g := range in.HelpdeskGroups {
		if slices.Contains(in.DPOGroups, g) {
			return bad(fmt.Sprintf("the group %q gives more than one role", g))
		}
	}
	switch in.MFA {
	case MFAByAMR, MFAByACR:
		if len(in.MFAValues) == 0 {
			return bad("name the amr or acr values that prove a second factor")
		}
	case MFALocal:
		in.MFAValues = nil
	default:
		return bad("choose how the second factor is proved: amr, acr or local")
	}
	return in, nil
}

// checkSSOText refuses a setting that is not text (not UTF-8, the replacement character
// a decoder leaves, NUL) or longer than maxSSOText bytes.
func checkSSOText(v string) error {
	if !utf8.ValidString(v) || strings.ContainsRune(v, utf8.RuneError) || strings.ContainsRune(v, 0) {
		return fmt.Errorf("%w: single sign-on: a setting contains characters that are not text; type it again", mdm.ErrInvalid)
	}
	if len(v) > maxSSOText {
		return fmt.Errorf("%w: single sign-on: a setting is longer than %d characters", mdm.ErrInvalid, maxSSOText)
	}
	return nil
}

// cleanList trims the entries of a list from a form or the API and drops empty ones.
func cleanList(l []string) ([]string, error) {
	out := make([]string, 0, len(l))
	for _, v := range l {
		v = strings.TrimSpace(v)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if err := checkSSOText(v); err != nil {
			return nil, err
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%w: single sign-on: one entry a line", mdm.ErrInvalid)
		}
		out = append(out, v)
	}
	if len(out) > maxSSOGroups {
		return nil, fmt.Errorf("%w: single sign-on: at most %d entries in a list", mdm.ErrInvalid, maxSSOGroups)
	}
	return out, nil
}

// RoleFor returns the one role the groups give; false when they give none, or more than
// one (an administrator who is also the data-protection officer signs in with two
// accounts, so that the trail keeps the roles apart).
func (p SSOProvider) RoleFor(groups []string) (mdm.Role, bool) {
	var found []mdm.Role
	for role, names := range map[mdm.Role][]string{mdm.RoleAdmin: p.AdminGroups, mdm.RoleHelpdesk: p.HelpdeskGroups, mdm.RoleDPO: p.DPOGroups} {
		if slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(names, g) }) {
			found = append(found, role)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// MFAProved reports whether the ID token's amr and acr prove a second factor by the
// tenant's rule; always false for MFALocal, whose factor is asked after the provider.
func (p SSOProvider) MFAProved(amr []string, acr string) bool {
	switch p.MFA {
	case MFAByAMR:
		return slices.ContainsFunc(amr, func(v string) bool { return slices.Contains(p.MFAValues, v) })
	case MFAByACR:
		return acr != "" && slices.Contains(p.MFAValues, acr)
	}
	return false
}

// Provider returns the tenant's provider; ErrNotFound when it has none.
func (o SSO) Provider(ctx context.Context, tenantID string) (SSOProvider, error) {
	return o.s.own.SSOProvider(ctx, tenantID)
}

// ClientSecret opens the provider's client secret.
func (o SSO) ClientSecret(p SSOProvider) (string, error) {
	secret, err := o.s.Settings.Sealer.Open(ssoSecretPurpose(p.TenantID), p.ClientSecret)
	if err != nil {
		return "", fmt.Errorf("open client secret of the single sign-on: %w", err)
	}
	return string(secret), nil
}

// SetProvider stores the tenant's provider with its secret sealed, and records the
// change (never the secret). Requiring single sign-on needs a break-glass administrator
// with the admin role, so that the tenant can still be reached when the provider is not.
func (o SSO) SetProvider(ctx context.Context, actor string, t mdm.Tenant, in SSOSettings) (SSOProvider, error) {
	in, err := in.validate()
	if err != nil {
		return SSOProvider{}, err
	}
	var p SSOProvider
	err = o.s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		old, err := own.SSOProvider(ctx, t.ID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return err
		}
		p = SSOProvider{TenantID: t.ID, DisplayName: in.DisplayName, Issuer: in.Issuer, ClientID: in.ClientID,
			ClientSecret: old.ClientSecret, Scopes: in.Scopes, GroupsClaim: in.GroupsClaim, AdminGroups: in.AdminGroups,
			HelpdeskGroups: in.HelpdeskGroups, DPOGroups: in.DPOGroups, MFA: in.MFA, MFAValues: in.MFAValues,
			Required: in.Required, EmployeesConfirm: in.EmployeesConfirm, UpdatedAt: at}
		if in.ClientSecret != "" {
			if p.ClientSecret, err = o.s.Settings.Sealer.Seal(ssoSecretPurpose(t.ID), []byte(in.ClientSecret)); err != nil {
				return fmt.Errorf("seal client secret: %w", err)
			}
		}
		if len(p.ClientSecret) == 0 {
			return fmt.Errorf("%w: single sign-on: the client secret registered at the provider is missing", mdm.ErrInvalid)
		}
		if p.Required {
			if err := keepsBreakGlass(ctx, own, t.ID, ""); err != nil {
				return err
			}
		}
		if err := own.PutSSOProvider(ctx, &p); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.SSOUpdate, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"issuer": p.Issuer, "client_id": p.ClientID, "mfa": p.MFA, "mfa_values": p.MFAValues,
				"required": p.Required, "employees_confirm": p.EmployeesConfirm, "secret_changed": in.ClientSecret != "", "admin_groups": p.AdminGroups,
				"helpdesk_groups": p.HelpdeskGroups, "dpo_groups": p.DPOGroups})})
		return err
	})
	if err != nil {
		return SSOProvider{}, err
	}
	return p, nil
}

// SSO is the tenant's single sign-on for administrators: its provider, the sign-ins
// through it and the break-glass administrators who keep the password.
type SSO struct{ s *Service }

// SSO returns the single sign-on of the sub-domain.
func (s *Service) SSO() SSO { return SSO{s: s} }
