package android

import (
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// Registration is how Android phones with a work profile join the core. The work profile
// can be locked (only where it has a lock of its own, see checkSeparateWorkLock) and its
// passcode reset; the phone reports the work profile's passcode, its integrity and its
// security patch; its certificates can be revoked while AMAPI keeps managing it. The
// device is created when the employee accepts the notice, and the portal shows the
// enrolment link; its certificate requests are bound to one key. A company-owned phone
// with a work profile can besides be locked and erased as a whole, and reports its serial
// number and IMEI; the core uses these for company-owned phones only (mdm.Capability.For).
func Registration() mdm.Registration {
	return mdm.Registration{
		Platform: mdm.PlatformAndroid,
		Can: mdm.CanLockWork | mdm.CanResetWorkPasscode | mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel |
			mdm.RevocableWhileManaged | mdm.EnrolsByPortalLink | mdm.BindsCertificateKeys |
			mdm.CanLockDevice | mdm.CanWipeDevice | mdm.ReportsHardwareIDs,
		Forgetter: Forgetter{},
		WorkApps:  workAppReader{},
		Setup: store.TenantRow{Table: enterprise{}.TableName(),
			Do: "bind an Android enterprise first (trennwand android bind or signup, or the dashboard's settings)"},
	}
}
