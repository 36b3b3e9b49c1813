package compliance

import "github.com/trennwand/trennwand/mdm"

// canOf stands in for the capabilities the real platforms register (ios.Registration,
// android.Registration), for tests of the pure rules; the platforms' own tests check
// that they register the same.
func canOf(p mdm.Platform) mdm.Capability {
	switch p {
	case mdm.PlatformIOS:
		return mdm.CanQueryWorkApps | mdm.NeedsManagedAccount | mdm.AppConfigRows
	case mdm.PlatformAndroid:
		return mdm.CanLockWork | mdm.CanResetWorkPasscode | mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel |
			mdm.RevocableWhileManaged | mdm.EnrolsByPortalLink | mdm.BindsCertificateKeys |
			mdm.CanLockDevice | mdm.CanWipeDevice | mdm.ReportsHardwareIDs
	}
	return 0
}

// capabilitySets are every single capability, none and all of them.
func capabilitySets() []mdm.Capability {
	all := mdm.Capability(0)
	for _, c := range mdm.AllCapabilities() {
		all |= c
	}
	return append(mdm.AllCapabilities(), 0, all)
}
