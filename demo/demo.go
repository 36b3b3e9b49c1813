// Package demo is what `trennwand serve --demo` runs beside the server, so that the whole
// flow works without Google or Apple: the AMAPI fake, a fake APNs and a fake of Apple's
// Apps and Books in the same process, a tenant that is ready to enrol phones, the
// demo-only endpoints through which simulated Android phones play their part at the fake,
// and, if asked, simulated phones that enrol in the background.
package demo

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/apnsfake"
	"github.com/trennwand/trennwand/ios/depfake"
	"github.com/trennwand/trennwand/ios/vppfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
)

// Demo holds the running fakes and, once seeded, the demo tenant.
type Demo struct {
	apns     *apnsfake.Server
	vpp      *vppfake.Server
	dep      *depfake.Server
	amapi    *amapifake.Fake
	amapiSrv *httptest.Server
	// tenantID and enterprise are the demo tenant and its enterprise in the fake, once seeded.
	tenantID, enterprise string
}

// Demo apps: what the sample work policy puts into the work container.
const (
	mailAndroid      = "com.example.work.mail"
	messengerAndroid = "com.example.work.messenger"
	// MailIOS is the sample policy's iOS work app.
	MailIOS = "com.example.work.mail"
	// PushTopic is the topic of the demo's push certificate, made for the fake APNs.
	PushTopic = "com.apple.mgmt.External.00000000-0000-4000-8000-00000000de00"
	// mailIOSAdamID is the iOS mail app's App Store ID in the fake Apps and Books, which
	// holds licences of it: enough for any simulated crowd.
	mailIOSAdamID = "1000000001"
	licences      = 1_000_000
)

// Endpoints are the base URLs of the fakes, which the server's configuration points at;
// PlayIframe is the AMAPI fake's stand-in of the managed Google Play iframe, PlayScript
// the origin of its stand-in of Google's gapi script. DeviceCA is the certificate (PEM) of
// the fake Apple's device CA, which simulated iPhones sign their device information with.
type Endpoints struct {
	APNs, VPP, VPPMetadata, DEP, AMAPI, PlayIframe, PlayScript string
	DeviceCA                                                   []byte
}

// Start starts the fakes.
func Start() *Demo {
	d := &Demo{apns: apnsfake.Start(), vpp: vppfake.Start(), dep: depfake.Start(), amapi: amapifake.New()}
	// A demo server runs for long: it needs the pushes counted, not kept.
	d.apns.KeepLast(100)
	d.amapiSrv = httptest.NewServer(d.amapi.Handler())
	for _, a := range playApps {
		d.amapi.AddApplication(a.pkg, a.title, a.properties...)
	}
	return d
}

// Endpoints returns where the fakes answer.
func (d *Demo) Endpoints() Endpoints {
	return Endpoints{APNs: d.apns.URL(), VPP: d.vpp.URL(), VPPMetadata: d.vpp.MetadataURL(), DEP: d.dep.URL(), AMAPI: d.amapiSrv.URL + "/",
		PlayIframe: d.amapiSrv.URL + amapifake.PathPlaySearch, PlayScript: d.amapiSrv.URL, DeviceCA: depfake.DeviceCAPEM()}
}

// APNsRoots are the CAs of the fake APNs's certificate.
func (d *Demo) APNsRoots() *x509.CertPool { return d.apns.Roots() }

// Close stops the fakes.
func (d *Demo) Close() {
	d.amapiSrv.Close()
	d.apns.Close()
	d.vpp.Close()
	d.dep.Close()
}

// LicenceTokens takes a tenant's Apps and Books content token (ios/licences has it).
type LicenceTokens interface {
	SetLicenceToken(ctx context.Context, actor, tenantID string, file []byte) (mdm.LicenceToken, error)
}

// Seed makes the tenant "default" ready for the demo: the employer's name and the
// data-protection contact (once, so that changes stay), a push certificate (made for the
// fake APNs), an Apps and Books token of the fake whose catalogue holds the sample
// policy's iOS app, an Android enterprise in the fake bound to it with its notifications
// pushed to this server (whose certificate comes from root), and, if the tenant has no
// work policy, a sample one. Without an Android platform (nil) Android is left out. Run at
// every start of the demo, since the fakes keep nothing.
func (d *Demo) Seed(ctx context.Context, svc *domain.Services, apple *ios.Platform, lic LicenceTokens, droid *android.Platform, root *x509.Certificate) error {
	t, err := svc.Tenant(ctx, mdm.DefaultTenant)
	if err != nil {
		return err
	}
	d.tenantID = t.ID
	if t.PrivacyContact == "" {
		if _, err := svc.Enrolment.SetTenantContacts(ctx, "demo", t, contacts); err != nil {
			return fmt.Errorf("demo contacts: %w", err)
		}
	}
	if _, err := apple.PushCertificate(ctx, t.ID); errors.Is(err, mdm.ErrNotFound) {
		certPEM, keyPEM, err := apnsfake.PushCertificate(PushTopic, time.Now().AddDate(1, 0, 0))
		if err != nil {
			return err
		}
		if _, err := apple.SetPushCertificate(ctx, "demo", t.ID, certPEM, keyPEM); err != nil {
			return fmt.Errorf("demo push certificate: %w", err)
		}
	} else if err != nil {
		return err
	}
	token := d.vpp.AddOrganisation("Demo Musterstadt", time.Now().AddDate(1, 0, 0))
	d.vpp.AddApp(token, mailIOSAdamID, MailIOS, mailTitle, licences)
	if _, err := lic.SetLicenceToken(ctx, "demo", t.ID, token); err != nil {
		return fmt.Errorf("demo Apps and Books token: %w", err)
	}
	if droid != nil {
		enterprise := d.amapi.CreateEnterprise("Demo Musterstadt")
		d.enterprise = enterprise
		topic := "projects/trennwand-demo/topics/trennwand-" + t.Name
		b, err := droid.Bind(ctx, "demo", t, enterprise, topic)
		if err != nil {
			return fmt.Errorf("demo Android enterprise: %w", err)
		}
		roots := x509.NewCertPool()
		roots.AddCert(root)
		d.amapi.Subscribe(topic, b.PushURL, &http.Client{Timeout: 30 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}})
	}
	policies, err := svc.WorkPolicy.WorkPolicies(ctx, t)
	if err != nil || len(policies) > 0 {
		return err
	}
	_, err = svc.WorkPolicy.CreateWorkPolicy(ctx, "demo", t, samplePolicy)
	if err != nil {
		return fmt.Errorf("demo work policy: %w", err)
	}
	return nil
}
