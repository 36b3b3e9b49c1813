package main

import (
	"log/slog"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/portal"
)

// mountPortal mounts the employee portal with the platform drivers the installation has.
func mountPortal(srv *api.Server, in *installation, drivers map[mdm.Platform]mdm.Driver, log *slog.Logger) error {
	p, err := portal.New(portal.Config{Service: in.svc, Drivers: drivers, Log: log.With("component", "portal")})
	if err != nil {
		return err
	}
	srv.MountPortal(p.Handler())
	return nil
}
