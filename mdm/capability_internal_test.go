package mdm

// canOf stands in for the capabilities the real platforms register (ios.Registration,
// android.Registration), for tests of the core's pure rules; the platforms' own tests
// check that they register the same.
func canOf(p Platform) Capability {
	switch p {
	case PlatformIOS:
		return CanQueryWorkApps | NeedsManagedAccount | AppConfigRows | CanLockDevice | CanWipeDevice | CanStartLostMode | ReportsHardwareIDs
	case PlatformAndroid:
		return CanLockWork | CanResetWorkPasscode | ReportsWorkPasscode | ReportsIntegrity | ReportsPatchLevel |
			RevocableWhileManaged | EnrolsByPortalLink | BindsCertificateKeys | CanLockDevice | CanWipeDevice | ReportsHardwareIDs
	}
	return 0
}
