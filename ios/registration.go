package ios

import (
	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// Registration is how iPhones and iPads join the core. A User Enrolment has no command
// that locks the work volume or resets a passcode, reports only whether the phone's
// passcode meets the policy, and cannot tell whether the phone is jailbroken; its MDM
// identity certificate is the channel the work data's removal travels on, so it is not
// revocable while the phone stays managed. The phone signs in with the employee's managed
// Apple account and redeems the invitation itself. A company-owned iPhone or iPad, which a
// device enrolment manages, can also be locked and erased as a whole, put into lost mode
// (when supervised) and tells its serial number and UDID: the core uses these on
// company-owned devices only (mdm.Capability.For).
func Registration() mdm.Registration {
	return mdm.Registration{
		Platform: mdm.PlatformIOS,
		Can: mdm.CanQueryWorkApps | mdm.NeedsManagedAccount | mdm.AppConfigRows |
			mdm.CanLockDevice | mdm.CanWipeDevice | mdm.CanStartLostMode | mdm.ReportsHardwareIDs | mdm.ShowsTextWhenLocked,
		Forgetter: storage.Forgetter{},
		WorkApps:  storage.WorkAppReader{},
		// Phones on iOS 17.2 or later report the states of their declarations.
		Declarations: ddm.DeclarationReader{},
		// They report the certificates of the work area's keychain too.
		Certificates: ddm.CertificateReader{},
		Setup: store.TenantRow{Table: "ios_tenant_push",
			Do: "upload the Apple MDM push certificate first (trennwand apple push-cert upload, or the dashboard's settings)"},
	}
}
