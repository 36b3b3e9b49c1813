package storetest

import "github.com/trennwand/trennwand/mdm"

// The platforms as they register themselves (ios.Registration, android.Registration),
// for tests of the core that cannot import the platforms; the platforms' own tests check
// that these stand-ins say what they register.
var (
	IOS = mdm.Registration{Platform: mdm.PlatformIOS,
		Can: mdm.CanQueryWorkApps | mdm.NeedsManagedAccount | mdm.AppConfigRows}
	Android = mdm.Registration{Platform: mdm.PlatformAndroid,
		Can: mdm.CanLockWork | mdm.CanResetWorkPasscode | mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel |
			mdm.RevocableWhileManaged | mdm.EnrolsByPortalLink | mdm.BindsCertificateKeys}
)

// Platforms registers both stand-ins, as the program registers the real platforms.
func Platforms() mdm.Option { return mdm.WithPlatforms(IOS, Android) }
