package enrolment_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/openid"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The sign-in at the provider is asked for only where the tenant asks for it and only
// where the invitation is redeemed: a tenant without the setting, a code that leads
// nowhere (the step answers it as before), and an iPhone on the portal go on without it;
// a provider that cannot be reached stops the step with nothing stored; an answer
// without a state the server made confirms nobody.
func TestWhenEmployeesSignInAtTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, client := context.Background(), netip.MustParseAddr("198.51.100.7")
		svc := newService(s)
		w := populate(t, svc, "musterstadt")
		droid, err := svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "otto@musterstadt.example", Platform: mdm.PlatformAndroid})
		if err != nil {
			t.Fatal(err)
		}
		apple, err := svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "ida@musterstadt.example", Platform: mdm.PlatformIOS,
			ManagedAppleID: "ida@appleid.musterstadt.example"})
		if err != nil {
			t.Fatal(err)
		}
		iphone := enrolment.ConfirmRequest{Via: enrolment.ViaApple, Platform: mdm.PlatformIOS, Account: "ida@appleid.musterstadt.example",
			RedirectURL: "https://mdm.musterstadt.example/apple/signin/callback"}
		setProvider := func(on bool) {
			_, err := svc.Access.SSO().SetProvider(ctx, "test", w.tenant, access.SSOSettings{DisplayName: "Rathaus-Konto",
				Issuer: "https://127.0.0.1:1/realms/rathaus", ClientID: "trennwand", ClientSecret: "s3cret", AdminGroups: []string{"mdm-admins"},
				MFA: access.MFALocal, EmployeesConfirm: on})
			if err != nil {
				t.Fatal(err)
			}
		}
		begin := func(req enrolment.ConfirmRequest, code string) error {
			req.Code = code
			_, err := svc.Enrolment.BeginConfirmation(ctx, client, req)
			return err
		}

		if err := begin(iphone, apple.Code); !errors.Is(err, enrolment.ErrNoConfirmation) {
			t.Errorf("a tenant without a provider: %v, want no sign-in", err)
		}
		setProvider(false)
		if name, _ := svc.Enrolment.SignInWith(ctx, w.tenant.ID); name != "" {
			t.Errorf("without the setting the portal names %q", name)
		}
		setProvider(true)
		if name, _ := svc.Enrolment.SignInWith(ctx, w.tenant.ID); name != "Rathaus-Konto" {
			t.Errorf("with the setting the portal names %q, want the provider", name)
		}
		if err := begin(iphone, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"); !errors.Is(err, enrolment.ErrNoConfirmation) {
			t.Errorf("an unknown code: %v, want the step to answer it", err)
		}
		onPortal := enrolment.ConfirmRequest{Via: enrolment.ViaPortal, Platform: mdm.PlatformIOS, NoticeVersion: mdm.NoticeVersion()}
		if err := begin(onPortal, apple.Code); !errors.Is(err, enrolment.ErrNoConfirmation) {
			t.Errorf("an iPhone on the portal: %v, want no sign-in there", err)
		}
		before := storetest.Count(t, s, "employee_sign_ins", "1 = 1")
		android := enrolment.ConfirmRequest{Via: enrolment.ViaPortal, Platform: mdm.PlatformAndroid, NoticeVersion: mdm.NoticeVersion(),
			RedirectURL: "https://mdm.musterstadt.example/e/signin/callback"}
		if err := begin(android, droid.Code); !errors.Is(err, enrolment.ErrSignInFailed) {
			t.Errorf("an unreachable provider: %v, want the sign-in failed", err)
		}
		if n := storetest.Count(t, s, "employee_sign_ins", "1 = 1"); n != before {
			t.Errorf("%d sign-ins stored for an unreachable provider, want %d", n, before)
		}
		_, err = svc.Enrolment.FinishConfirmation(ctx, client, enrolment.ViaApple, iphone.RedirectURL, openid.Answer{State: "forged", Code: "x"})
		if !errors.Is(err, enrolment.ErrSignInGone) {
			t.Errorf("a forged state: %v, want gone", err)
		}
		for _, action := range []audit.Action{audit.EmployeeConfirm, audit.InvitationRedeem} {
			if n := storetest.CountEvents(t, s, w.tenant.ID, action); n != 0 {
				t.Errorf("%d events %s on record, want none", n, action)
			}
		}
	})
}
