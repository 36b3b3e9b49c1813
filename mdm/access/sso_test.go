package access_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// keycloak is a provider as a tenant would set it up, the MFA proved by amr.
func keycloak() access.SSOSettings {
	return access.SSOSettings{DisplayName: "Rathaus-Konto", Issuer: "https://id.musterstadt.example/realms/rathaus",
		ClientID: "trennwand", ClientSecret: "s3cret", AdminGroups: []string{"mdm-admins"}, HelpdeskGroups: []string{"mdm-helpdesk"},
		DPOGroups: []string{"datenschutz"}, MFA: access.MFAByAMR, MFAValues: []string{"mfa", "otp"}}
}

// A group gives exactly one role; a person in no group, or in groups of two roles, gets
// none.
func TestGroupsGiveExactlyOneRole(t *testing.T) {
	p := access.SSOProvider{AdminGroups: []string{"mdm-admins"}, HelpdeskGroups: []string{"mdm-helpdesk", "servicedesk"}, DPOGroups: []string{"datenschutz"}}
	for _, c := range []struct {
		groups []string
		want   mdm.Role
		ok     bool
	}{
		{[]string{"staff", "mdm-admins"}, mdm.RoleAdmin, true},
		{[]string{"servicedesk"}, mdm.RoleHelpdesk, true},
		{[]string{"mdm-helpdesk", "servicedesk"}, mdm.RoleHelpdesk, true},
		{[]string{"datenschutz"}, mdm.RoleDPO, true},
		{[]string{"staff"}, "", false},
		{nil, "", false},
		{[]string{"MDM-ADMINS"}, "", false},
		{[]string{"mdm-admins", "datenschutz"}, "", false},
	} {
		if got, ok := p.RoleFor(c.groups); got != c.want || ok != c.ok {
			t.Errorf("groups %v give %q, %v; want %q, %v", c.groups, got, ok, c.want, c.ok)
		}
	}
}

// The tenant's rule decides which claim proves the second factor.
func TestTheTenantsRuleDecidesWhatProvesTheSecondFactor(t *testing.T) {
	byAMR := access.SSOProvider{MFA: access.MFAByAMR, MFAValues: []string{"mfa", "hwk"}}
	byACR := access.SSOProvider{MFA: access.MFAByACR, MFAValues: []string{"urn:musterstadt:mfa"}}
	local := access.SSOProvider{MFA: access.MFALocal}
	for _, c := range []struct {
		name string
		p    access.SSOProvider
		amr  []string
		acr  string
		want bool
	}{
		{"amr with mfa", byAMR, []string{"pwd", "mfa"}, "", true},
		{"amr with a key", byAMR, []string{"hwk"}, "", true},
		{"amr with the password alone", byAMR, []string{"pwd"}, "urn:musterstadt:mfa", false},
		{"no amr", byAMR, nil, "", false},
		{"acr that counts", byACR, []string{"pwd"}, "urn:musterstadt:mfa", true},
		{"acr of a password", byACR, []string{"mfa"}, "urn:musterstadt:pwd", false},
		{"no acr", byACR, nil, "", false},
		{"local factor asked afterwards", local, []string{"mfa"}, "urn:musterstadt:mfa", false},
	} {
		if got := c.p.MFAProved(c.amr, c.acr); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Settings that cannot work are refused with what to change, and nothing is stored.
func TestProviderSettingsThatCannotWorkAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		for name, change := range map[string]func(*access.SSOSettings){
			"plain http issuer":     func(in *access.SSOSettings) { in.Issuer = "http://id.musterstadt.example" },
			"issuer with a query":   func(in *access.SSOSettings) { in.Issuer = "https://id.example/?x=1" },
			"no client":             func(in *access.SSOSettings) { in.ClientID = " " },
			"no name":               func(in *access.SSOSettings) { in.DisplayName = "" },
			"no secret":             func(in *access.SSOSettings) { in.ClientSecret = "" },
			"no group":              func(in *access.SSOSettings) { in.AdminGroups, in.HelpdeskGroups, in.DPOGroups = nil, nil, nil },
			"a group of two roles":  func(in *access.SSOSettings) { in.DPOGroups = []string{"mdm-admins"} },
			"amr without values":    func(in *access.SSOSettings) { in.MFAValues = []string{" "} },
			"unknown rule":          func(in *access.SSOSettings) { in.MFA = "sms" },
			"not text":              func(in *access.SSOSettings) { in.DisplayName = "Rathaus\xff" },
			"required without help": func(in *access.SSOSettings) { in.Required = true },
		} {
			in := keycloak()
			change(&in)
			_, err := w.svc.Access.SSO().SetProvider(ctx, "test", w.tenant, in)
			if !errors.Is(err, mdm.ErrInvalid) && !errors.Is(err, mdm.ErrConflict) {
				t.Errorf("%s: %v, want a refusal", name, err)
			}
		}
		if _, err := w.svc.Access.SSO().Provider(ctx, w.tenant.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("after refusals the tenant has a provider: %v", err)
		}
		p, err := w.svc.Access.SSO().SetProvider(ctx, "test", w.tenant, keycloak())
		if err != nil {
			t.Fatal(err)
		}
		if secret, err := w.svc.Access.SSO().ClientSecret(p); err != nil || secret != "s3cret" || string(p.ClientSecret) == "s3cret" {
			t.Errorf("client secret %q (stored %q), %v: want it sealed and opened again", secret, p.ClientSecret, err)
		}
		again := keycloak()
		again.ClientSecret = ""
		p, err = w.svc.Access.SSO().SetProvider(ctx, "test", w.tenant, again)
		if secret, _ := w.svc.Access.SSO().ClientSecret(p); err != nil || secret != "s3cret" {
			t.Errorf("saved without a secret: %q, %v; want the stored one kept", secret, err)
		}
	})
}

// While single sign-on is required, only break-glass administrators sign in with a
// password, and the last of them with the role admin keeps the mark.
func TestRequiredSingleSignOnLeavesOnlyBreakGlassAdministratorsTheirPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		first, err := w.svc.Access.Admins(ctx, w.tenant)
		if err != nil {
			t.Fatal(err)
		}
		other, creds, err := w.svc.Access.CreateAdmin(ctx, "test", w.tenant, "helpdesk@musterstadt.example", mdm.RoleHelpdesk)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Access.SSO().SetBreakGlass(ctx, "test", w.tenant, first[0].ID, true); err != nil {
			t.Fatal(err)
		}
		in := keycloak()
		in.Required = true
		if _, err := w.svc.Access.SSO().SetProvider(ctx, "test", w.tenant, in); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Access.SignIn(ctx, w.tenant.Name, other.Email, creds.Password, "192.0.2.7"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("an administrator without the mark signs in with a password: %v", err)
		}
		if _, sess, err := w.svc.Access.SignIn(ctx, w.tenant.Name, w.creds.Email, w.creds.Password, "192.0.2.7"); err != nil || sess.Stage != access.StageTOTPSetup {
			t.Errorf("the break-glass administrator: %+v, %v; want the second factor next", sess, err)
		}
		if err := w.svc.Access.SSO().SetBreakGlass(ctx, "test", w.tenant, first[0].ID, false); !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("unmarking the last break-glass administrator: %v, want ErrConflict", err)
		}
		if err := w.svc.Access.SSO().SetBreakGlass(ctx, "test", w.tenant, other.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Access.SSO().SetBreakGlass(ctx, "test", w.tenant, first[0].ID, false); !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("a helpdesk break-glass administrator is no way in for the admin role: %v, want ErrConflict", err)
		}
		if got := w.actions(t); got[len(got)-1] != "admin.break_glass" {
			t.Errorf("the trail ends with %v, want the mark", got[len(got)-3:])
		}
	})
}

// signInAt runs the domain's part of a sign-in at the tenant's provider: the start, the
// state back at the callback, and the identity the provider vouched for.
func signInAt(t *testing.T, w *signInWorld, id access.SSOIdentity) (access.NextStep, error) {
	t.Helper()
	ctx := context.Background()
	st, err := w.svc.Access.SSO().Begin(ctx, w.tenant.Name, "192.0.2.9")
	if err != nil {
		t.Fatal(err)
	}
	back, err := w.svc.Access.SSO().Take(ctx, w.tenant.Name, st.State, "192.0.2.9")
	if err != nil || back.Nonce != st.Nonce || back.Verifier != st.Verifier {
		t.Fatalf("the state back at the callback: %+v, %v", back, err)
	}
	if _, err := w.svc.Access.SSO().Take(ctx, w.tenant.Name, st.State, "192.0.2.9"); !errors.Is(err, mdm.ErrUnauthenticated) {
		t.Errorf("the state taken a second time: %v", err)
	}
	return w.svc.Access.SSO().Finish(ctx, back, id, "192.0.2.9")
}

// The account of a single sign-on is found by issuer and subject: a first sign-in whose
// address is another account's is refused rather than linked to it, the account made has
// no password to sign in with, a disabled one is refused, and a sign-in that runs out at
// the provider comes back to nothing.
func TestSingleSignOnAccountsAreFoundByIssuerAndSubjectOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		if _, err := w.svc.Access.SSO().SetProvider(ctx, "test", w.tenant, keycloak()); err != nil {
			t.Fatal(err)
		}
		issuer := keycloak().Issuer
		refused := func(err error, reason string) bool {
			var r *access.SSORefusal
			return errors.As(err, &r) && r.Reason == reason
		}
		taken := access.SSOIdentity{Issuer: issuer, Subject: "sub-1", Email: w.creds.Email, Groups: []string{"mdm-admins"}, AMR: []string{"mfa"}}
		if _, err := signInAt(t, w, taken); !refused(err, access.RefusedEmailTaken) {
			t.Errorf("a first sign-in with the first administrator's address: %v, want refused", err)
		}
		anna := access.SSOIdentity{Issuer: issuer, Subject: "sub-2", Email: "anna@musterstadt.example", Groups: []string{"datenschutz"}, AMR: []string{"mfa"}}
		next, err := signInAt(t, w, anna)
		if err != nil || next.Session.Stage != access.StageActive {
			t.Fatalf("anna's first sign-in: %+v, %v", next.Session, err)
		}
		_, a, err := w.svc.Access.SessionFor(ctx, next.Token)
		if err != nil || a.Role != mdm.RoleDPO || a.Email != "anna@musterstadt.example" {
			t.Fatalf("anna: %+v, %v", a, err)
		}
		if _, _, err := w.svc.Access.SignIn(ctx, w.tenant.Name, a.Email, "", "192.0.2.9"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("anna with an empty password: %v, want refused", err)
		}
		elsewhere := anna
		elsewhere.Issuer = "https://id.nachbarort.example"
		elsewhere.Email = "anna.other@musterstadt.example"
		if next, err := signInAt(t, w, elsewhere); err != nil {
			t.Fatal(err)
		} else if _, b, _ := w.svc.Access.SessionFor(ctx, next.Token); b.ID == a.ID {
			t.Error("the same subject at another issuer signed in as anna")
		}
		if err := w.svc.Access.DisableAdmin(ctx, "test", w.tenant, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := signInAt(t, w, anna); !refused(err, access.RefusedDisabled) {
			t.Errorf("anna disabled: %v, want refused", err)
		}
		st, err := w.svc.Access.SSO().Begin(ctx, w.tenant.Name, "192.0.2.9")
		if err != nil {
			t.Fatal(err)
		}
		w.now = w.now.Add(access.SSOSignInTimeout)
		if _, err := w.svc.Access.SSO().Take(ctx, w.tenant.Name, st.State, "192.0.2.9"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a sign-in back after %v: %v, want refused", access.SSOSignInTimeout, err)
		}
		throttled := 0
		for range access.ClientSignInAttempts + 1 {
			if _, err := w.svc.Access.SSO().Begin(ctx, w.tenant.Name, "198.51.100.4"); errors.Is(err, access.ErrThrottled) {
				throttled++
			}
		}
		if throttled != 1 {
			t.Errorf("%d of %d starts from one address throttled, want the last", throttled, access.ClientSignInAttempts+1)
		}
		if _, err := w.svc.Access.SSO().Begin(ctx, w.tenant.Name, "198.51.100.5"); err != nil {
			t.Errorf("another address after the throttle: %v", err)
		}
	})
}
