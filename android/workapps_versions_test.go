package android_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// A work profile lists its apps with their versions in its status reports: the platform
// keeps the versions of the work policy's apps — the one it installs and the one the
// employee installed from the work Play Store — and shows them, and keeps nothing of any
// other app the report lists (the work profile's Play Store, or a private app that a
// report should never list): neither its name nor its version is anywhere in the
// database.
func TestTheVersionsOfTheWorkAppsAreKeptAndOfNoOtherApp(t *testing.T) {
	const mail, files = "de.musterstadt.mail", "de.musterstadt.files"
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)
		s.fake.SetAppVersion(mail, "2.4.1", 241)
		wp, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung", Apps: []mdm.AppAssignment{
			{Platform: mdm.PlatformAndroid, AppID: mail, InstallType: mdm.InstallRequired},
			{Platform: mdm.PlatformAndroid, AppID: files, InstallType: mdm.InstallAvailable}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
			t.Fatal(err)
		}
		d, phone := s.active(t, "max@musterstadt.de")
		shown := func() []mdm.WorkApp {
			t.Helper()
			apps, err := s.svc.DeviceWorkApps(ctx, s.tenant, s.device(t, d.ID))
			if err != nil {
				t.Fatal(err)
			}
			return apps
		}
		want := []mdm.WorkApp{{AppID: mail, Version: "2.4.1 (241)", State: mdm.AppInstalled}, {AppID: files, State: mdm.AppNotReported}}
		if got := shown(); !slices.Equal(got, want) {
			t.Fatalf("after enrolment the work apps are %+v, want %+v", got, want)
		}

		s.fake.SetAppVersion(mail, "2.5.0", 250)
		err = s.fake.ReportStatus(ctx, phone.Name, func(d *amapi.Device) {
			d.ApplicationReports = append(d.ApplicationReports,
				&amapi.ApplicationReport{PackageName: files, VersionName: "1.2", VersionCode: 12, State: "INSTALLED"},
				&amapi.ApplicationReport{PackageName: "com.whatsapp", VersionName: "2.24.99.7", VersionCode: 242499007, State: "INSTALLED"})
		})
		if err != nil {
			t.Fatal(err)
		}
		want = []mdm.WorkApp{{AppID: mail, Version: "2.5.0 (250)", State: mdm.AppInstalled}, {AppID: files, Version: "1.2 (12)", State: mdm.AppInstalled}}
		if got := shown(); !slices.Equal(got, want) {
			t.Fatalf("after an update the work apps are %+v, want %+v", got, want)
		}
		dump := dumpDatabase(t, s)
		if !strings.Contains(dump, mail) || !strings.Contains(dump, "2.5.0") {
			t.Fatal("the dump misses the work app's version the database does hold")
		}
		for _, other := range []string{"com.whatsapp", "2.24.99.7", "com.android.vending", "45.2.19"} {
			if strings.Contains(dump, other) {
				t.Errorf("the database holds %q of an app that is no work app of the policy", other)
			}
		}
	})
}
