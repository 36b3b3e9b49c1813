package main

import (
	"log/slog"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/portal"
)

// mountPortal mounts the employee portal with the platform drivers the installation has.
// Guesses of invitation codes are counted per client; behind load balancers the client
// is read from X-Forwarded-For as the trusted proxies wrote it.
func mountPortal(srv *api.Server, in *installation, drivers map[mdm.Platform]mdm.Driver, log *slog.Logger) error {
	p, err := portal.New(portal.Config{Service: in.svc, Drivers: drivers, Log: log.With("component", "portal"),
		ClientAddr: api.ForwardedFor(in.cfg.TrustedProxies)})
	if err != nil {
		return err
	}
	srv.MountPortal(p.Handler())
	return nil
}

// portalDrivers are the platform drivers of the installation, by platform; a platform
// without one is shown on the portal as not switched on yet.
func (in *installation) portalDrivers() map[mdm.Platform]mdm.Driver {
	drivers := map[mdm.Platform]mdm.Driver{}
	if in.applePlatform != nil {
		drivers[mdm.PlatformIOS] = in.applePlatform
	}
	if in.androidPlatform != nil {
		drivers[mdm.PlatformAndroid] = in.androidPlatform
	}
	return drivers
}
