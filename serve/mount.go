package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/pki"
	"github.com/trennwand/trennwand/ui/dashboard"
	"github.com/trennwand/trennwand/ui/portal"
)

// platforms is what the server adds to the platforms of the installation.
func (in *server) platforms(signer func() (*tls.Certificate, error)) installation.Platforms {
	return installation.Platforms{ProfileSigner: signer, ClientAddr: api.ForwardedFor(in.Config.TrustedProxies), Demo: in.demo}
}

// mountApple puts the Apple component's endpoints on the server and keeps it for the
// background jobs.
func (in *server) mountApple(srv *api.Server, tlsCfg *tls.Config) error {
	p, nano, lic, err := in.Apple(in.platforms(ios.TLSCertificate(tlsCfg, in.Config.PublicURL.Hostname())))
	if err != nil {
		return err
	}
	srv.MountApple(p.Handler())
	in.pusher = ios.NewPusher(nano, in.Store, ios.PusherConfig{URL: in.Config.APNsURL, Roots: in.apnsRoots, Log: in.Log.With("component", "apns"),
		Events: in.Events})
	in.applePlatform, in.appleLicences = p, lic
	in.appleDevices, err = in.AppleBusinessManager(context.Background(), p)
	return err
}

// mountAndroid mounts the Android platform when the API is configured and returns it;
// without it the server runs for iPhones only, says so, and returns nil.
func mountAndroid(ctx context.Context, in *server, srv *api.Server, log *slog.Logger) (*android.Platform, error) {
	p, err := in.Android(ctx, in.platforms(nil))
	if errors.Is(err, installation.ErrNoAMAPI) {
		log.Warn("Android is off: " + err.Error())
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	srv.MountAndroid(p.Handler())
	return p, nil
}

// appLicensing is the licensing the console shows; nil without the Apple component.
func (in *server) appLicensing() mdm.AppLicensing {
	if in.appleLicences == nil {
		return nil
	}
	return in.appleLicences
}

// mountConsole mounts what IT staff use: the JSON API under /api/v1 and the dashboard
// under /ui, both with the same platform settings; conditional access asks the CA about
// certificates, and the overview when the CA's and the server's certificates end.
func mountConsole(srv *api.Server, in *server, ca *pki.CA, tlsCfg *tls.Config, log *slog.Logger) error {
	apple, android, keys := api.DashboardApple(in.applePlatform), api.DashboardAndroid(in.androidPlatform), api.DashboardCertificateKeys(in.androidPlatform)
	abm := api.DashboardAppleBusinessManager(in.appleDevices)
	// Each audit export, from the dashboard or the API, is signed with a signing
	// certificate of its own, as `trennwand audit export` does.
	auditSigner := func(ctx context.Context) (export.Signer, error) { return ca.NewSigner(ctx) }
	cfg := api.APIConfig{Service: in.Service, PublicURL: in.Config.PublicURL, Log: log, Licensing: in.appLicensing(), AppleBusinessManager: abm, Certificates: ca,
		Apple: apple, Android: android, CertificateKeys: keys, AuditSigner: auditSigner, Drivers: in.portalDrivers()}
	if in.androidPlatform != nil {
		cfg.Play = in.androidPlatform
	}
	if err := srv.MountAPI(cfg); err != nil {
		return err
	}
	mountSCIM(srv, in.Service)
	d, err := dashboard.New(dashboard.Config{Service: in.Service, PublicURL: in.Config.PublicURL, Log: log.With("component", "dashboard"), Demo: in.demo,
		Licensing: in.appLicensing(), AppleBusinessManager: abm, Apple: apple, Android: android, Drivers: in.portalDrivers(),
		Schemas: api.DashboardSchemas(in.androidPlatform), Play: api.DashboardPlay(in.androidPlatform), CertificateKeys: keys,
		Expiries:    in.tenantExpiries(ca, tlsCfg),
		AuditSigner: auditSigner, SSOCheck: srv.SSOCheck(), EmployeeRedirectURIs: api.EmployeeRedirectURLs(in.Config.PublicURL)})
	if err != nil {
		return err
	}
	srv.MountDashboard(in.Service, d)
	return nil
}

// mountPortal mounts the employee portal with the platform drivers the installation has.
// Guesses of invitation codes are counted per client; behind load balancers the client
// is read from X-Forwarded-For as the trusted proxies wrote it.
func mountPortal(srv *api.Server, in *server, drivers map[mdm.Platform]mdm.Driver, log *slog.Logger) error {
	p, err := portal.New(portal.Config{Service: in.Service, Drivers: drivers, Log: log.With("component", "portal"),
		ClientAddr: api.ForwardedFor(in.Config.TrustedProxies), PublicURL: in.Config.PublicURL})
	if err != nil {
		return err
	}
	srv.MountPortal(p.Handler())
	return nil
}

// portalDrivers are the platform drivers of the installation, by platform; a platform
// without one is shown on the portal as not switched on yet.
func (in *server) portalDrivers() map[mdm.Platform]mdm.Driver {
	drivers := map[mdm.Platform]mdm.Driver{}
	if in.applePlatform != nil {
		drivers[mdm.PlatformIOS] = in.applePlatform
	}
	if in.androidPlatform != nil {
		drivers[mdm.PlatformAndroid] = in.androidPlatform
	}
	return drivers
}
