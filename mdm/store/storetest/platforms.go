package storetest

import (
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// The platforms as they register themselves (ios.Registration, android.Registration),
// for tests of the core that cannot import the platforms; the platforms' own tests check
// that these stand-ins say what they register.
var (
	IOS = mdm.Registration{Platform: mdm.PlatformIOS,
		Can: mdm.CanQueryWorkApps | mdm.NeedsManagedAccount | mdm.AppConfigRows |
			mdm.CanLockDevice | mdm.CanWipeDevice | mdm.CanStartLostMode | mdm.ReportsHardwareIDs | mdm.ShowsTextWhenLocked}
	Android = mdm.Registration{Platform: mdm.PlatformAndroid,
		Can: mdm.CanLockWork | mdm.CanResetWorkPasscode | mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel |
			mdm.RevocableWhileManaged | mdm.EnrolsByPortalLink | mdm.BindsCertificateKeys |
			mdm.CanLockDevice | mdm.CanWipeDevice | mdm.ReportsHardwareIDs}
)

// Platforms registers both stand-ins, as the program registers the real platforms.
func Platforms() mdm.Option { return mdm.WithPlatforms(IOS, Android) }

// CheckRegistration fails t when a platform's registration reg says another platform or
// other capabilities than the stand-in the core is tested with, or when a privacy notice
// of the platform promises, for an ownership, a command the privacy matrix refuses there.
func CheckRegistration(t testing.TB, reg, standIn mdm.Registration) {
	t.Helper()
	if reg.Platform != standIn.Platform || reg.Can != standIn.Can {
		t.Fatalf("registered %s can %q; the core is tested with %s can %q", reg.Platform, reg.Can, standIn.Platform, standIn.Can)
	}
	for _, o := range mdm.Ownerships {
		notice, err := mdm.PrivacyNotice(reg.Platform, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range notice.CanDo {
			for _, k := range item.Commands {
				if err := mdm.Allowed(o, reg.Can, k); err != nil {
					t.Errorf("the %s %s notice promises %s (%s), which the phone does not carry out there: %v", o, reg.Platform, k, item.ID, err)
				}
			}
		}
	}
}
