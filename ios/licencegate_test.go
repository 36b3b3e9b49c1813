package ios_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/ios/vppfake"
	"github.com/trennwand/trennwand/mdm"
)

// mailAdamID is the mail app's ID in the App Store.
const mailAdamID = "1001"

// withLicences turns licensing on against a fake of Apple's Apps and Books whose
// organisation holds `held` licences of the mail app; it returns the fake and the
// organisation's content token. Call it before pushing, whose queue then runs the licence
// jobs.
func (s *site) withLicences(t testing.TB, held int) (*vppfake.Server, []byte) {
	t.Helper()
	fake := vppfake.Start()
	t.Cleanup(fake.Close)
	var err error
	s.lic, err = licences.New(licences.Config{Tables: s.st.Tables(), Domain: s.st, Sealer: testMasterKey(t), Client: fake.Client(), Now: s.svc.Now,
		PollPause: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.platform.UseLicences(s.lic)
	s.licences = fake
	token := fake.AddOrganisation("Stadt Musterstadt", time.Now().Add(365*24*time.Hour))
	fake.AddApp(token, mailAdamID, mailApp, "Musterstadt Mail", held)
	return fake, token
}

// mailPolicy makes the work policy that requires the mail app with its configuration.
func (s *site) mailPolicy(t testing.TB) mdm.WorkPolicy {
	t.Helper()
	wp, err := s.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung",
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail.musterstadt.de"}`}}})
	if err != nil {
		t.Fatal(err)
	}
	return wp
}

// catalogueApp waits until the tenant's catalogue shows the mail app as ok says.
func (s *site) catalogueApp(t testing.TB, what string, ok func(mdm.LicensedApp) bool) mdm.LicensedApp {
	t.Helper()
	var app mdm.LicensedApp
	waitUntil(t, what, func() bool {
		apps, err := s.lic.LicensedApps(context.Background(), s.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(apps, func(a mdm.LicensedApp) bool { return a.BundleID == mailApp })
		if i < 0 {
			return false
		}
		app = apps[i]
		return ok(app)
	})
	return app
}

func TestAWorkAppIsInstalledOnceTheEmployeeHoldsItsLicence(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		fake, token := s.withLicences(t, 5)
		tok, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Organisation != "Stadt Musterstadt" || tok.Expired || tok.Expiring {
			t.Fatalf("token %+v, want the organisation's, valid for a year", tok)
		}
		s.pushing(t)
		app := s.catalogueApp(t, "the catalogue was read", func(a mdm.LicensedApp) bool { return a.Available == 5 })
		if app.Name != "Musterstadt Mail" || app.AdamID != mailAdamID || app.Total != 5 {
			t.Fatalf("catalogue entry %+v", app)
		}
		s.mailPolicy(t)
		p := s.enrolled(t, "erika")
		d := s.deviceOf(t, p)

		// The licence goes to the employee behind the managed Apple account; only then
		// is the app installed, with its configuration.
		install := p.waitCommand(t)
		c := install.Command
		if c.RequestType != "InstallApplication" || c.Identifier != mailApp || c.Options.PurchaseMethod != 1 || c.Configuration["server"] != "mail.musterstadt.de" {
			t.Fatalf("command %+v, want InstallApplication of the licensed mail app with its configuration", c)
		}
		if got := fake.Assigned(token, mailAdamID); !slices.Equal(got, []string{d.EmployeeID}) {
			t.Fatalf("Apple's licences of the mail app are held by %v, want the employee %s", got, d.EmployeeID)
		}
		p.next(t, "Acknowledged", install.CommandUUID)
		if a := s.workApps(t, d)[mailApp]; a.State != storage.AppInstalled {
			t.Fatalf("work app %+v, want installed", a)
		}
		s.catalogueApp(t, "the licence is counted as associated", func(a mdm.LicensedApp) bool { return a.Associated == 1 })

		// The employee's only iPhone is removed: the licence goes back to the organisation.
		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the licence was given back", func() bool { return len(fake.Assigned(token, mailAdamID)) == 0 })
		waitUntil(t, "the release was recorded", func() bool { return slices.Contains(s.auditActions(t), "apple.vpp_licence.released") })
		actions := s.auditActions(t)
		for _, want := range []string{"apple.vpp_token.set", "apple.vpp_licence.reserve", "apple.vpp_licence.associated", "apple.vpp_licence.release"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit trail %v lacks %s", actions, want)
			}
		}
	})
}

func TestWithoutLicencesLeftTheFailureIsShownAndTriedAgainWhenMoreAreBought(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	fake, token := s.withLicences(t, 0)
	if _, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, token); err != nil {
		t.Fatal(err)
	}
	s.pushing(t)
	s.catalogueApp(t, "the catalogue was read", func(mdm.LicensedApp) bool { return true })
	s.mailPolicy(t)
	p := s.enrolled(t, "erika")
	d := s.deviceOf(t, p)

	// Apple has no licence left: the device and the policy's catalogue say so, and nothing
	// is sent to the phone.
	waitUntil(t, "the device shows the missing licence", func() bool {
		a := s.workApps(t, d)[mailApp]
		return a.State == storage.AppFailed && strings.Contains(a.Error, "no licences left")
	})
	app := s.catalogueApp(t, "the catalogue shows the failure", func(a mdm.LicensedApp) bool { return a.Failed == 1 })
	if !strings.Contains(app.Problem, "no licences left") {
		t.Fatalf("catalogue entry %+v, want the reason", app)
	}
	if cmd := p.next(t, "Idle", ""); cmd != nil {
		t.Fatalf("without a licence the phone got %s", cmd.Command.RequestType)
	}

	// Licences are bought; the next reading of the catalogue tries again and installs.
	fake.SetLicences(token, mailAdamID, 3)
	if err := s.lic.SyncLicensedApps(ctx, "admin:test", s.tenant.ID); err != nil {
		t.Fatal(err)
	}
	if install := p.waitCommand(t); install.Command.RequestType != "InstallApplication" || install.Command.Identifier != mailApp {
		t.Fatalf("after licences were bought the phone got %+v", install.Command)
	}
	if got := fake.Assigned(token, mailAdamID); len(got) != 1 {
		t.Fatalf("licences held at Apple: %v, want one", got)
	}
}

func TestApplesRateLimitsAndErrorsAreRetriedThroughTheQueue(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	fake, token := s.withLicences(t, 2)
	fake.Throttle(2, time.Second)
	if _, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, token); err != nil {
		t.Fatal(err)
	}
	s.pushing(t)
	s.catalogueApp(t, "the catalogue was read despite the rate limit", func(a mdm.LicensedApp) bool { return a.Available == 2 })
	if n := fake.Requests()["GET /mdm/v2/assets"]; n != 3 {
		t.Fatalf("GET /assets was asked %d times, want 3 (twice refused with 429, then answered)", n)
	}

	// Apple fails once while the licence is associated: the job is tried again.
	s.mailPolicy(t)
	fake.Fail(1)
	p := s.enrolled(t, "erika")
	if install := p.waitCommand(t); install.Command.RequestType != "InstallApplication" {
		t.Fatalf("the phone got %+v", install.Command)
	}
	if len(fake.Assigned(token, mailAdamID)) != 1 {
		t.Fatal("the licence was not associated after Apple's error")
	}
}

func TestARevokedTokenIsShownAndANewOneResumesTheLicences(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	fake, token := s.withLicences(t, 2)
	if _, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, token); err != nil {
		t.Fatal(err)
	}
	s.pushing(t)
	s.catalogueApp(t, "the catalogue was read", func(mdm.LicensedApp) bool { return true })
	fake.Revoke(token)
	s.mailPolicy(t)
	p := s.enrolled(t, "erika")
	d := s.deviceOf(t, p)
	waitUntil(t, "the device shows the refused token", func() bool {
		a := s.workApps(t, d)[mailApp]
		return a.State == storage.AppFailed && strings.Contains(a.Error, "token revoked")
	})
	if tok, err := s.lic.LicenceToken(ctx, s.tenant.ID); err != nil || !strings.Contains(tok.Problem, "revoked") {
		t.Fatalf("token %+v %v, want the problem shown", tok, err)
	}

	// The organisation downloads a new token; once uploaded, the licence is associated.
	fresh := fake.AddOrganisation("Stadt Musterstadt", time.Now().Add(365*24*time.Hour))
	fake.AddApp(fresh, mailAdamID, mailApp, "Musterstadt Mail", 2)
	if _, err := s.lic.SetLicenceToken(ctx, "admin:test", s.tenant.ID, fresh); err != nil {
		t.Fatal(err)
	}
	if install := p.waitCommand(t); install.Command.RequestType != "InstallApplication" {
		t.Fatalf("after the new token the phone got %+v", install.Command)
	}
}
