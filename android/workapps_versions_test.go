package android_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
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
			slices.SortFunc(apps, func(a, b mdm.WorkApp) int { return strings.Compare(a.AppID, b.AppID) })
			return apps
		}
		// By package name: the files app first.
		want := []mdm.WorkApp{{AppID: files, State: mdm.AppNotReported}, {AppID: mail, Version: "2.4.1 (241)", State: mdm.AppInstalled}}
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
		want = []mdm.WorkApp{{AppID: files, Version: "1.2 (12)", State: mdm.AppInstalled}, {AppID: mail, Version: "2.5.0 (250)", State: mdm.AppInstalled}}
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

// A report's app list is read with care: an app is kept once, only installed and with a
// well-formed package name, its version name cut to 100 bytes; a report that lists no apps
// says nothing of them (nil), so that the versions kept stay as they are.
func TestTheReportsAppListIsReadWithCare(t *testing.T) {
	long := strings.Repeat("9", 150)
	body, err := amapifake.PushEnvelope("1", android.NotificationStatusReport, amapi.Device{Name: "enterprises/LC1/devices/3A",
		ApplicationReports: []*amapi.ApplicationReport{
			{PackageName: "de.musterstadt.mail", VersionName: "2.4.1", VersionCode: 241, State: "INSTALLED"},
			{PackageName: "de.musterstadt.mail", VersionName: "2.4.2", VersionCode: 242, State: "INSTALLED"},
			{PackageName: "not a package", VersionName: "1", State: "INSTALLED"},
			{PackageName: "com.example.gone", VersionName: "1", State: "REMOVED"},
			{PackageName: "de.musterstadt.files", VersionName: long, VersionCode: 7, State: "INSTALLED"}}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := android.DecodePush(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []android.ReportedApp{{Package: "de.musterstadt.mail", VersionName: "2.4.1", VersionCode: 241},
		{Package: "de.musterstadt.files", VersionName: long[:100], VersionCode: 7}}
	if !slices.Equal(n.Device.Apps, want) {
		t.Errorf("the apps read are %+v, want %+v", n.Device.Apps, want)
	}
	body, err = amapifake.PushEnvelope("2", android.NotificationStatusReport, amapi.Device{Name: "enterprises/LC1/devices/3A"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := android.DecodePush(body); err != nil || n.Device.Apps != nil {
		t.Errorf("a report without apps reads as %#v (%v), want nil", n.Device.Apps, err)
	}
}
