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
// Apple account and redeems the invitation itself.
func Registration() mdm.Registration {
	return mdm.Registration{
		Platform:  mdm.PlatformIOS,
		Can:       mdm.CanQueryWorkApps | mdm.NeedsManagedAccount | mdm.AppConfigRows,
		Forgetter: storage.Forgetter{},
		WorkApps:  storage.WorkAppReader{},
		// Phones on iOS 17.2 or later report the states of their declarations.
		Declarations: ddm.DeclarationReader{},
		Setup: store.TenantRow{Table: "ios_tenant_push",
			Do: "upload the Apple MDM push certificate first (trennwand apple push-cert upload, or the dashboard's settings)"},
	}
}
