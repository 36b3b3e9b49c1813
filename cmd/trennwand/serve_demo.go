package main

import "github.com/trennwand/trennwand/demo"

// startDemo starts the demo's fakes and points the configuration at them.
func startDemo(cfg *config) *demo.Demo {
	d := demo.Start()
	e := d.Endpoints()
	cfg.APNsURL, cfg.VPPURL, cfg.VPPMetadataURL, cfg.AMAPIEndpoint = e.APNs, e.VPP, e.VPPMetadata, e.AMAPI
	return d
}
