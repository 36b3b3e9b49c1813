package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/ios/dep"
)

// demoDevices are the iPhones the demo town bought in the fake Apple Business Manager.
var demoDevices = []struct{ serial, model, description string }{
	{"DEMO00000001", "iPhone 15", "Bürgerbüro, Schalter 1"},
	{"DEMO00000002", "iPhone 15", "Ordnungsamt, Außendienst"},
	{"DEMO00000003", "iPad Air", "Bauamt, Baustellen"},
}

// SeedDevices gives the demo tenant (once Seed has run) Automated Device Enrollment
// against the fake Apple Business Manager, which holds a few bought devices: the
// server's certificate goes to the fake, whose server token is uploaded, as IT does by
// hand. The sync job then finds the devices and assigns them the tenant's profile.
func (d *Demo) SeedDevices(ctx context.Context, abm *dep.Service) error {
	if d.tenantID == "" {
		return errors.New("demo: seed the tenant first")
	}
	for _, dev := range demoDevices {
		if _, known := d.dep.Device(dev.serial); !known {
			d.dep.AddDevice(dev.serial, dev.model, dev.description)
		}
	}
	file, err := d.ServerTokenFile(ctx, abm)
	if err != nil {
		return err
	}
	if _, err := abm.SetToken(ctx, "demo", d.tenantID, file); err != nil {
		return fmt.Errorf("demo server token: %w", err)
	}
	return nil
}

// ServerTokenFile returns the server token file (.p7m) the fake Apple Business Manager
// hands out for the demo tenant's certificate, which IT may upload on the dashboard's
// page as it would Apple's.
func (d *Demo) ServerTokenFile(ctx context.Context, abm *dep.Service) ([]byte, error) {
	if d.tenantID == "" {
		return nil, errors.New("demo: seed the tenant first")
	}
	certPEM, err := abm.Certificate(ctx, d.tenantID)
	if err != nil {
		return nil, err
	}
	return d.dep.TokenFileFor(certPEM)
}
