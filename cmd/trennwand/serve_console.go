package main

import (
	"log/slog"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/pki"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// mountConsole mounts what IT staff use: the JSON API under /api/v1 and the dashboard
// under /ui; conditional access asks the CA about certificates.
func mountConsole(srv *api.Server, in *installation, ca *pki.CA, log *slog.Logger) error {
	cfg := api.APIConfig{Service: in.svc, PublicURL: in.cfg.PublicURL, Log: log, Licensing: in.appLicensing(), Certificates: ca}
	if err := srv.MountAPI(cfg); err != nil {
		return err
	}
	d, err := dashboard.New(dashboard.Config{Service: in.svc, PublicURL: in.cfg.PublicURL, Log: log.With("component", "dashboard"), Demo: in.demo,
		Licensing: in.appLicensing(),
		Apple:     api.DashboardApple(in.applePlatform), Android: api.DashboardAndroid(in.androidPlatform),
		Schemas: api.DashboardSchemas(in.androidPlatform), CertificateKeys: api.DashboardCertificateKeys(in.androidPlatform)})
	if err != nil {
		return err
	}
	srv.MountDashboard(in.svc, d)
	return nil
}
