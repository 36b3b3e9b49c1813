package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// SSOSignInTimeout bounds how long a person may take at the provider.
const SSOSignInTimeout = 10 * time.Minute

// SSOPending is a sign-in sent to a tenant's provider and not yet back.
type SSOPending struct {
	StateHash []byte
	TenantID  string
	Nonce     string
	Verifier  []byte // the PKCE verifier, sealed
	// LinkAdminID is the signed-in administrator who links their account; "" for a
	// sign-in.
	LinkAdminID string
	ExpiresAt   time.Time
}

// SSOStart is what the way to the provider and back needs: the provider, the state
// (for the browser's cookie and the request), the nonce the ID token must carry and the
// PKCE verifier.
type SSOStart struct {
	Tenant   mdm.Tenant
	Provider SSOProvider
	State    string
	Nonce    string
	Verifier string
	// LinkAdminID is the administrator who asked to link their account; "" for a sign-in.
	LinkAdminID string
}

// SSOIdentity is what a provider's verified ID token says about the person.
type SSOIdentity struct {
	Issuer, Subject, Email string
	Groups, AMR            []string
	ACR                    string
}

// SSORefusal is a sign-in the provider vouched for that the tenant's rules refuse; Reason
// names the rule for the page that says so.
type SSORefusal struct{ Reason string }

func (r *SSORefusal) Error() string { return "single sign-on refused: " + r.Reason }

// The reasons of a refusal.
const (
	RefusedNoRole     = "no_role"     // the groups give no role, or more than one
	RefusedNoMFA      = "no_mfa"      // the token proves no second factor by the tenant's rule
	RefusedNoEmail    = "no_email"    // a new administrator needs an e-mail address
	RefusedEmailTaken = "email_taken" // another account of the tenant has the address
	RefusedDisabled   = "disabled"    // the administrator was disabled
	RefusedLinked     = "linked"      // the account or the identity is linked already
)

// verifierPurpose binds a sealed PKCE verifier to its tenant.
func verifierPurpose(tenantID string) string { return "sso-pkce:" + tenantID }

// Begin opens a sign-in at the named tenant's provider: ErrNotFound when the tenant
// does not exist or has no provider, ErrThrottled when the client started too many. The
// state is bound to the tenant; only the tenant's callback can take it.
func (o SSO) Begin(ctx context.Context, tenantName, client string) (SSOStart, error) {
	if err := o.s.throttle(ctx, "sso-start", client, o.s.Settings.Now()); err != nil {
		return SSOStart{}, err
	}
	t, err := o.s.Core.Tenant(ctx, tenantName)
	if err != nil {
		return SSOStart{}, err
	}
	return o.begin(ctx, t, "")
}

// BeginLink opens the way to the tenant's provider for a signed-in administrator who
// links their account to their identity there; the callback links it instead of signing
// in. Only the browser that holds the state can finish it.
func (o SSO) BeginLink(ctx context.Context, a mdm.Admin) (SSOStart, error) {
	t, err := o.s.Core.TenantByID(ctx, a.TenantID)
	if err != nil {
		return SSOStart{}, err
	}
	return o.begin(ctx, t, a.ID)
}

// begin stores a new state with its nonce and PKCE verifier for the tenant's provider.
func (o SSO) begin(ctx context.Context, t mdm.Tenant, linkAdmin string) (SSOStart, error) {
	p, err := o.s.own.SSOProvider(ctx, t.ID)
	if err != nil {
		return SSOStart{}, err
	}
	st := SSOStart{Tenant: t, Provider: p, State: strings.ToLower(mdm.RandomBase32(32)), Nonce: strings.ToLower(mdm.RandomBase32(32)),
		Verifier: strings.ToLower(mdm.RandomBase32(40)), LinkAdminID: linkAdmin}
	sealed, err := o.s.Settings.Sealer.Seal(verifierPurpose(t.ID), []byte(st.Verifier))
	if err != nil {
		return SSOStart{}, fmt.Errorf("seal PKCE verifier: %w", err)
	}
	now := o.s.Settings.Now()
	pending := SSOPending{StateHash: mdm.HashSecret(st.State), TenantID: t.ID, Nonce: st.Nonce, Verifier: sealed, LinkAdminID: linkAdmin,
		ExpiresAt: now.Add(SSOSignInTimeout)}
	if err := o.s.own.CreateSSOSignIn(ctx, &pending, now); err != nil {
		return SSOStart{}, fmt.Errorf("store sign-in at the provider: %w", err)
	}
	return st, nil
}

// Take takes the sign-in of a state that came back to the named tenant's callback,
// once. A state that is unknown, used, run out, or was made for another tenant is
// ErrUnauthenticated (and is gone afterwards); a client over the throttle is ErrThrottled.
func (o SSO) Take(ctx context.Context, tenantName, state, client string) (SSOStart, error) {
	now := o.s.Settings.Now()
	if err := o.s.throttle(ctx, "sso", client, now); err != nil {
		return SSOStart{}, err
	}
	t, err := o.s.Core.Tenant(ctx, tenantName)
	if errors.Is(err, mdm.ErrNotFound) {
		return SSOStart{}, mdm.ErrUnauthenticated
	} else if err != nil {
		return SSOStart{}, err
	}
	pending, err := o.s.own.TakeSSOSignIn(ctx, mdm.HashSecret(state))
	if errors.Is(err, mdm.ErrNotFound) {
		return SSOStart{}, o.refuse(ctx, t.ID, audit.Tenant.Of(t.ID), client, "unknown state", nil)
	} else if err != nil {
		return SSOStart{}, err
	}
	if pending.TenantID != t.ID {
		return SSOStart{}, o.refuse(ctx, t.ID, audit.Tenant.Of(t.ID), client, "state of another tenant", nil)
	}
	if !now.Before(pending.ExpiresAt) {
		return SSOStart{}, o.refuse(ctx, t.ID, audit.Tenant.Of(t.ID), client, "sign-in ran out", nil)
	}
	p, err := o.s.own.SSOProvider(ctx, t.ID)
	if errors.Is(err, mdm.ErrNotFound) {
		return SSOStart{}, mdm.ErrUnauthenticated
	} else if err != nil {
		return SSOStart{}, err
	}
	verifier, err := o.s.Settings.Sealer.Open(verifierPurpose(t.ID), pending.Verifier)
	if err != nil {
		return SSOStart{}, fmt.Errorf("open PKCE verifier: %w", err)
	}
	return SSOStart{Tenant: t, Provider: p, State: state, Nonce: pending.Nonce, Verifier: string(verifier), LinkAdminID: pending.LinkAdminID}, nil
}

// Refuse records a sign-in that came back from the tenant's provider without a token
// that could be verified (an error from the provider, a bad code, a token with the wrong
// issuer, audience, nonce or signature) and returns ErrUnauthenticated.
func (o SSO) Refuse(ctx context.Context, tenantID, client, why string) error {
	return o.refuse(ctx, tenantID, audit.Tenant.Of(tenantID), client, why, nil)
}

// refuse records a refused single sign-on and returns ErrUnauthenticated, or the
// refusal with its reason when one is given.
func (o SSO) refuse(ctx context.Context, tenantID, subject, client, why string, refusal *SSORefusal) error {
	details := map[string]any{"via": "sso", "reason": why}
	_ = o.s.Core.Record(ctx, tenantID, audit.Record{Actor: "client:" + client, Action: audit.AdminSignInFailed, Subject: subject,
		Details: audit.Fields(details)})
	if refusal != nil {
		return refusal
	}
	return mdm.ErrUnauthenticated
}

// Finish signs in the person the provider vouched for: their groups must give exactly
// one role, the token must prove a second factor by the tenant's rule (or the session
// asks for the local one), and they are the administrator linked to the issuer and
// subject, or become a new one, never an account found by e-mail address alone. The role
// follows the groups at every sign-in. The session, the administrator and the events are
// written in one transaction; a refusal is an *SSORefusal and changes nothing but the
// trail. A state that BeginLink made links the administrator who asked instead, and
// opens no session.
func (o SSO) Finish(ctx context.Context, st SSOStart, id SSOIdentity, client string) (NextStep, error) {
	if st.LinkAdminID != "" {
		return NextStep{}, o.link(ctx, st, id, client)
	}
	p, t := st.Provider, st.Tenant
	who := fmt.Sprintf("%s at %s", id.Subject, id.Issuer)
	refuse := func(reason string, subject string) (NextStep, error) {
		return NextStep{}, o.refuse(ctx, t.ID, subject, client, who+": "+reason, &SSORefusal{Reason: reason})
	}
	role, ok := p.RoleFor(id.Groups)
	if !ok {
		return refuse(RefusedNoRole, audit.Tenant.Of(t.ID))
	}
	how := "sso " + string(p.MFA)
	if p.MFA != MFALocal && !p.MFAProved(id.AMR, id.ACR) {
		return refuse(RefusedNoMFA, audit.Tenant.Of(t.ID))
	}
	a, err := o.s.own.AdminBySSOIdentity(ctx, t.ID, id.Issuer, id.Subject)
	known := err == nil
	if err != nil && !errors.Is(err, mdm.ErrNotFound) {
		return NextStep{}, err
	}
	if known && a.Disabled() {
		return refuse(RefusedDisabled, audit.Admin.Of(a.ID))
	}
	var email string
	if !known {
		if email, err = mdm.NormalizeEmail(id.Email); err != nil {
			return refuse(RefusedNoEmail, audit.Tenant.Of(t.ID))
		}
		if _, err := o.s.own.AdminByEmail(ctx, t.ID, email); err == nil {
			return refuse(RefusedEmailTaken, audit.Tenant.Of(t.ID))
		} else if !errors.Is(err, mdm.ErrNotFound) {
			return NextStep{}, err
		}
	}
	var next NextStep
	err = o.s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		if !known {
			if a, err = o.createAdmin(ctx, tx, own, at, t, email, role, id); err != nil {
				return err
			}
		} else if a.Role != role {
			if err := own.SetAdminRole(ctx, t.ID, a.ID, role); err != nil {
				return err
			}
			if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminRoleChange, Subject: audit.Admin.Of(a.ID),
				Details: audit.Fields(map[string]any{"from": a.Role, "to": role, "via": "sso groups"})}); err != nil {
				return err
			}
			a.Role = role
		}
		stage := StageActive
		if p.MFA == MFALocal {
			stage = StageSecondFactor
			if a.TOTPConfirmedAt == nil {
				stage = StageTOTPSetup
			}
		}
		next.Token, next.Session = renew(Session{TenantID: t.ID, AdminID: a.ID, CreatedAt: at, ExpiresAt: at.Add(SessionMaxAge)}, stage, at)
		if err := own.CreateSession(ctx, &next.Session); err != nil {
			return err
		}
		if stage != StageActive {
			return nil
		}
		return recordSignIn(ctx, tx, at, a, next.Session, factorUse{How: how})
	})
	if errors.Is(err, mdm.ErrConflict) {
		// Two first sign-ins of one person at once: the other one linked the identity.
		return refuse(RefusedEmailTaken, audit.Tenant.Of(t.ID))
	}
	if err != nil {
		return NextStep{}, fmt.Errorf("single sign-on of %s: %w", who, err)
	}
	return next, nil
}

// link records that the administrator who started the link is the person at the
// provider, and the event; refused when either is linked already. It opens no session:
// the administrator's own goes on.
func (o SSO) link(ctx context.Context, st SSOStart, id SSOIdentity, client string) error {
	t := st.Tenant
	err := o.s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		a, err := own.AdminByID(ctx, t.ID, st.LinkAdminID)
		if err != nil {
			return err
		}
		if a.Disabled() {
			return fmt.Errorf("%w: disabled", mdm.ErrNotFound)
		}
		if err := own.LinkSSOIdentity(ctx, t.ID, a.ID, id.Issuer, id.Subject, at); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSSOLink, Subject: audit.Admin.Of(a.ID),
			Details: audit.Fields(map[string]any{"issuer": id.Issuer, "subject": id.Subject})})
		return err
	})
	switch {
	case errors.Is(err, mdm.ErrConflict):
		return o.refuse(ctx, t.ID, audit.Admin.Of(st.LinkAdminID), client, fmt.Sprintf("link to %s at %s: linked already", id.Subject, id.Issuer),
			&SSORefusal{Reason: RefusedLinked})
	case errors.Is(err, mdm.ErrNotFound):
		return o.refuse(ctx, t.ID, audit.Admin.Of(st.LinkAdminID), client, "link: the administrator is gone or disabled", &SSORefusal{Reason: RefusedDisabled})
	}
	return err
}

// createAdmin makes the administrator of a person's first sign-in through the
// provider: no password (they cannot sign in with one), a second-factor secret for
// tenants that ask for the local factor, and the link to the issuer and subject.
func (o SSO) createAdmin(ctx context.Context, tx mdm.Store, own Store, at time.Time, t mdm.Tenant, email string, role mdm.Role, id SSOIdentity) (mdm.Admin, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "trennwand " + t.Name, AccountName: email})
	if err != nil {
		return mdm.Admin{}, fmt.Errorf("make second-factor secret: %w", err)
	}
	a := mdm.Admin{ID: mdm.NewID(), TenantID: t.ID, Email: email, Role: role, CreatedAt: at}
	if a.TOTPSecret, err = o.s.Settings.Sealer.Seal(totpPurpose(a.ID), []byte(key.Secret())); err != nil {
		return mdm.Admin{}, fmt.Errorf("seal second-factor secret: %w", err)
	}
	if err := own.CreateAdmin(ctx, t.ID, &a); err != nil {
		return mdm.Admin{}, err
	}
	if err := own.LinkSSOIdentity(ctx, t.ID, a.ID, id.Issuer, id.Subject, at); err != nil {
		return mdm.Admin{}, err
	}
	_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminCreate, Subject: audit.Admin.Of(a.ID),
		Details: audit.Fields(map[string]any{"email": email, "role": role, "via": "sso", "issuer": id.Issuer, "subject": id.Subject})})
	return a, err
}

// Linked reports whether the administrator signs in through the tenant's provider.
func (o SSO) Linked(ctx context.Context, a mdm.Admin) (bool, error) {
	return o.s.own.SSOLinked(ctx, a.TenantID, a.ID)
}
