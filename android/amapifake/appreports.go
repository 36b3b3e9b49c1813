package amapifake

import (
	amapi "google.golang.org/api/androidmanagement/v1"
)

// A work profile lists its apps in its status reports (Device.applicationReports) when its
// policy asks for them (statusReportingSettings.applicationReportsEnabled): the apps of the
// work profile only — the policy's installed apps and those every work profile has, such
// as the Play Store — each with its package name, version name and code, state and where it
// came from. The fake plays a phone on which the apps the policy installs are installed at
// the version its Play knows (SetAppVersion).

// profileApps are apps every work profile has besides its policy's.
var profileApps = []amapi.ApplicationReport{
	{PackageName: "com.android.vending", VersionName: "45.2.19-31", VersionCode: 84521900, State: "INSTALLED",
		ApplicationSource: "SYSTEM_APP_UPDATED_VERSION"},
}

// defaultVersion is the version of an app whose version the fake's Play was not told.
var defaultVersion = amapi.AppVersion{VersionString: "1.0.0", VersionCode: 100, Production: true}

// SetAppVersion makes the app's version in the fake's Play the given one, as a developer's
// release would; the phones report it from their next status report on.
func (f *Fake) SetAppVersion(packageName, versionName string, versionCode int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	app, ok := f.apps[packageName]
	if !ok {
		app = &amapi.Application{Title: packageName}
		f.apps[packageName] = app
	}
	app.AppVersions = []*amapi.AppVersion{{VersionString: versionName, VersionCode: versionCode, Production: true}}
}

// appReports returns what a work profile under the named policy lists of its apps; nil
// when the policy does not ask for them. Called with f.mu held.
func (f *Fake) appReports(policyName string) []*amapi.ApplicationReport {
	p, ok := f.policies[policyName]
	if !ok || p.StatusReportingSettings == nil || !p.StatusReportingSettings.ApplicationReportsEnabled {
		return nil
	}
	out := make([]*amapi.ApplicationReport, 0, len(profileApps)+len(p.Applications))
	for _, a := range profileApps {
		out = append(out, &a)
	}
	for _, a := range p.Applications {
		// An app the employee may install is not there until they do.
		if a.InstallType != "FORCE_INSTALLED" && a.InstallType != "REQUIRED_FOR_SETUP" {
			continue
		}
		v := defaultVersion
		if app, ok := f.apps[a.PackageName]; ok && len(app.AppVersions) > 0 {
			v = *app.AppVersions[0]
		}
		out = append(out, &amapi.ApplicationReport{PackageName: a.PackageName, VersionName: v.VersionString,
			VersionCode: v.VersionCode, State: "INSTALLED", ApplicationSource: "INSTALLED_FROM_PLAY_STORE"})
	}
	return out
}
