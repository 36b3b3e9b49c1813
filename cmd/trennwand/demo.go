package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/ios/apnsfake"
	"github.com/trennwand/trennwand/ios/vppfake"
	"github.com/trennwand/trennwand/mdm"
)

// demo is what `serve --demo` runs beside the server, so that the whole flow works without
// Google or Apple: the AMAPI fake, a fake APNs and a fake of Apple's Apps and Books, in
// the same process, and a tenant that
// is ready to enrol phones.
type demo struct {
	apns     *apnsfake.Server
	vpp      *vppfake.Server
	amapi    *amapifake.Fake
	amapiSrv *httptest.Server
	// tenantID and enterprise are the demo tenant and its enterprise in the fake, once seeded.
	tenantID, enterprise string
}

// Demo apps: what the sample work policy puts into the work container.
const (
	demoMailAndroid      = "com.example.work.mail"
	demoMessengerAndroid = "com.example.work.messenger"
	demoMailIOS          = "com.example.work.mail"
	demoTopic            = "com.apple.mgmt.External.00000000-0000-4000-8000-00000000de00"
	// demoMailIOSAdamID is the iOS mail app's App Store ID in the fake Apps and Books,
	// which holds demoLicences licences of it: enough for any simulated crowd.
	demoMailIOSAdamID = "1000000001"
	demoLicences      = 1_000_000
)

// startDemo starts the fakes and points the configuration at them.
func startDemo(cfg *config) *demo {
	d := &demo{apns: apnsfake.Start(), vpp: vppfake.Start(), amapi: amapifake.New()}
	d.amapiSrv = httptest.NewServer(d.amapi.Handler())
	d.amapi.AddApplication(demoMailAndroid, "Mail (demo)",
		&amapi.ManagedProperty{Key: "server", Type: "STRING", Title: "Mail server"},
		&amapi.ManagedProperty{Key: "port", Type: "INTEGER", Title: "Port"})
	d.amapi.AddApplication(demoMessengerAndroid, "Messenger (demo)",
		&amapi.ManagedProperty{Key: "organisation", Type: "STRING", Title: "Organisation"})
	cfg.APNsURL = d.apns.URL()
	cfg.VPPURL, cfg.VPPMetadataURL = d.vpp.URL(), d.vpp.MetadataURL()
	cfg.AMAPIEndpoint = d.amapiSrv.URL + "/"
	return d
}

// Close stops the fakes.
func (d *demo) Close() {
	d.amapiSrv.Close()
	d.apns.Close()
	d.vpp.Close()
}

// seed makes the tenant "default" ready for the demo: a push certificate (made for the
// fake APNs), an Apps and Books token of the fake whose catalogue holds the sample
// policy's iOS app, an Android enterprise in the fake bound to it with its notifications pushed
// to this server, and, if the tenant has no work policy, a sample one. Run at every start
// of the demo, since the fakes keep nothing.
func (d *demo) seed(ctx context.Context, in *installation, root *x509.Certificate) error {
	t, err := in.svc.Tenant(ctx, mdm.DefaultTenant)
	if err != nil {
		return err
	}
	d.tenantID = t.ID
	if _, err := in.applePlatform.PushCertificate(ctx, t.ID); errors.Is(err, mdm.ErrNotFound) {
		certPEM, keyPEM, err := apnsfake.PushCertificate(demoTopic, time.Now().AddDate(1, 0, 0))
		if err != nil {
			return err
		}
		if _, err := in.applePlatform.SetPushCertificate(ctx, "demo", t.ID, certPEM, keyPEM); err != nil {
			return fmt.Errorf("demo push certificate: %w", err)
		}
	} else if err != nil {
		return err
	}
	token := d.vpp.AddOrganisation("Demo Musterstadt", time.Now().AddDate(1, 0, 0))
	d.vpp.AddApp(token, demoMailIOSAdamID, demoMailIOS, "Mail (demo)", demoLicences)
	if _, err := in.appleLicences.SetLicenceToken(ctx, "demo", t.ID, token); err != nil {
		return fmt.Errorf("demo Apps and Books token: %w", err)
	}
	if in.androidPlatform != nil {
		enterprise := d.amapi.CreateEnterprise("Demo Musterstadt")
		d.enterprise = enterprise
		topic := "projects/trennwand-demo/topics/trennwand-" + t.Name
		b, err := in.androidPlatform.Bind(ctx, "demo", t, enterprise, topic)
		if err != nil {
			return fmt.Errorf("demo Android enterprise: %w", err)
		}
		roots := x509.NewCertPool()
		roots.AddCert(root)
		d.amapi.Subscribe(topic, b.PushURL, &http.Client{Timeout: 30 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}})
	}
	policies, err := in.svc.WorkPolicies(ctx, t)
	if err != nil || len(policies) > 0 {
		return err
	}
	_, err = in.svc.CreateWorkPolicy(ctx, "demo", t, mdm.WorkPolicy{
		Name:                 "Demo: Verwaltung",
		Description:          "Mail and messenger for the town hall; copying from work to private apps is blocked.",
		WorkPasscodeRequired: true,
		Apps: []mdm.AppAssignment{
			{Platform: mdm.PlatformAndroid, AppID: demoMailAndroid, InstallType: mdm.InstallRequired,
				ManagedConfig: `{"server":"mail.musterstadt.example","port":993}`},
			{Platform: mdm.PlatformAndroid, AppID: demoMessengerAndroid, InstallType: mdm.InstallRequired,
				ManagedConfig: `{"organisation":"Musterstadt"}`},
			{Platform: mdm.PlatformIOS, AppID: demoMailIOS, InstallType: mdm.InstallRequired,
				ManagedConfig: `{"server":"mail.musterstadt.example","port":993}`},
		},
	})
	if err != nil {
		return fmt.Errorf("demo work policy: %w", err)
	}
	return nil
}
