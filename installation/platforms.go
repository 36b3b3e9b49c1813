package installation

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/ios/vpp"
)

// Platforms is what the server adds to the platforms the command line opens without it.
type Platforms struct {
	// ProfileSigner signs Apple enrolment profiles; nil on the command line, which makes
	// none.
	ProfileSigner func() (*tls.Certificate, error)
	// ClientAddr returns the address a request comes from (nil: every request counts as
	// one client).
	ClientAddr func(*http.Request) netip.Addr
	// Demo says that Apple's Apps and Books is the demo's fake in the process.
	Demo bool
}

// Apple returns the installation's Apple component with its nanomdm storage and its
// licensing of work apps through Apple's Apps and Books.
func (in *Installation) Apple(pl Platforms) (*ios.Platform, *storage.Storage, *licences.Service, error) {
	ca, err := in.CA(context.Background())
	if err != nil {
		return nil, nil, nil, err
	}
	signer := pl.ProfileSigner
	if signer == nil {
		signer = func() (*tls.Certificate, error) {
			return nil, errors.New("enrolment profiles are made by the server only")
		}
	}
	nano := storage.New(in.Store.Tables(), in.Key, storage.WithChanges(in.Store.Changes()))
	p, err := ios.New(in.Service, ca, nano, ios.Config{
		PublicURL: in.Config.PublicURL, Topic: in.Config.APNsTopic, ProfileSigner: signer,
		Log: in.Log.With("component", "ios"), ClientAddr: pl.ClientAddr, Events: in.Events, Changes: in.Store.Changes(),
	})
	if err != nil {
		return nil, nil, nil, err
	}
	lic, err := in.useLicences(p, pl.Demo)
	return p, nano, lic, err
}

// useLicences turns on the licensing of work apps through Apple's Apps and Books at the
// configured URLs.
func (in *Installation) useLicences(p *ios.Platform, demo bool) (*licences.Service, error) {
	client, err := vpp.NewClient(in.Config.VPPURL, in.Config.VPPMetadataURL, &http.Client{Timeout: 60 * time.Second})
	if err != nil {
		return nil, err
	}
	cfg := licences.Config{Tables: in.Store.Tables(), Domain: in.Store, Sealer: in.Key, Client: client, Now: in.Service.Now,
		Log: in.Log.With("component", "licences")}
	if demo {
		// The demo's fake is in the process: its events need no patience.
		cfg.PollPause = 200 * time.Millisecond
	}
	lic, err := licences.New(cfg)
	if err != nil {
		return nil, err
	}
	p.UseLicences(lic)
	return lic, nil
}

// AppleBusinessManager returns the installation's Automated Device Enrollment at the
// configured URL and turns it on for the Apple component p: the devices a tenant bought
// enrol on the tenant's sign-in page, and trust the server by the installation's CA.
func (in *Installation) AppleBusinessManager(ctx context.Context, p *ios.Platform) (*dep.Service, error) {
	ca, err := in.CA(ctx)
	if err != nil {
		return nil, err
	}
	public := in.Config.PublicURL
	// A certificate of the operator's own is trusted by the devices as it is; the
	// embedded CA's server certificate only through its root.
	var anchors [][]byte
	if in.Config.TLSCert == "" {
		anchors = [][]byte{ca.Root().Raw}
	}
	abm, err := dep.New(dep.Config{Tables: in.Store.Tables(), Sealer: in.Key, URL: in.Config.DEPURL,
		Client:      &http.Client{Timeout: 60 * time.Second},
		EnrolURL:    func(tenantID string) string { return public.JoinPath(ios.PathEnrolAutomated(tenantID)).String() },
		WebURL:      func(tenantID string) string { return public.JoinPath(ios.PathSignInAutomated(tenantID)).String() },
		AnchorCerts: anchors, Now: in.Service.Now, Log: in.Log.With("component", "dep")})
	if err != nil {
		return nil, err
	}
	devices, err := in.deviceAnchors()
	if err != nil {
		return nil, err
	}
	p.UseBoughtDevices(abm, devices)
	return abm, nil
}

// deviceAnchors are the device CAs whose devices' signed information the Setup Assistant's
// sign-in believes: the demo's fake in demo mode, the operator's file when one is set,
// else Apple's own chain.
func (in *Installation) deviceAnchors() (*ios.DeviceAnchors, error) {
	pemBytes := ios.AppleDeviceCAPEM()
	switch {
	case len(in.Config.DemoDeviceCA) > 0:
		pemBytes = in.Config.DemoDeviceCA
	case in.Config.AppleDeviceCA != "":
		b, err := os.ReadFile(in.Config.AppleDeviceCA)
		if err != nil {
			return nil, fmt.Errorf("--apple-device-ca: %w", err)
		}
		pemBytes = b
	}
	anchors, err := ios.ParseDeviceAnchors(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("--apple-device-ca (TRENNWAND_APPLE_DEVICE_CA): %w", err)
	}
	return anchors, nil
}

// ErrNoAMAPI means the installation has no way to reach the Android Management API.
var ErrNoAMAPI = errors.New("the Android Management API is not configured: set amapi-credentials (TRENNWAND_AMAPI_CREDENTIALS) to a service-account key file, or amapi-endpoint (TRENNWAND_AMAPI_ENDPOINT) to a proxy")

// Android returns the installation's Android platform. The service-account key comes from
// the configured file, which is then kept sealed in the database, or from the database.
func (in *Installation) Android(ctx context.Context, pl Platforms) (*android.Platform, error) {
	var fromFile []byte
	if in.Config.AMAPICredentials != "" {
		b, err := os.ReadFile(in.Config.AMAPICredentials)
		if err != nil {
			return nil, fmt.Errorf("AMAPI credentials: %w", err)
		}
		fromFile = b
	}
	key, err := android.Credentials(ctx, in.Store.Tables().DB(), in.Key, fromFile)
	if err != nil {
		return nil, err
	}
	if key == nil && in.Config.AMAPIEndpoint == "" {
		return nil, ErrNoAMAPI
	}
	client, err := android.NewClient(ctx, android.ClientConfig{Endpoint: in.Config.AMAPIEndpoint, CredentialsJSON: key, Events: in.Events})
	if err != nil {
		return nil, err
	}
	ca, err := in.CA(ctx)
	if err != nil {
		return nil, err
	}
	return android.New(in.Service, in.Store.Tables(), client, android.Config{PublicURL: in.Config.PublicURL, Log: in.Log.With("component", "android"),
		Challenges: ca, ClientAddr: pl.ClientAddr, Events: in.Events, PlayIframeURL: in.Config.PlayIframeURL,
		PlayScriptOrigin: in.Config.PlayScriptOrigin}), nil
}
