package ios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/micromdm/nanomdm/service"
	"github.com/micromdm/nanomdm/service/certauth"
	"github.com/micromdm/nanomdm/service/nanomdm"
	nanostorage "github.com/micromdm/nanomdm/storage"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// The paths this component serves under the public URL.
const (
	// PathDiscovery is where a phone looks for the enrolment service of its managed Apple
	// account's domain. Operators serve it (or forward it here) on that domain.
	PathDiscovery = "/.well-known/com.apple.remotemanagement"
	// PathEnrol is the enrolment BaseURL of User Enrolment (mdm-byod): the employee's own
	// phone posts here for its enrolment profile.
	PathEnrol = "/apple/enrol"
	// PathEnrolDevice is the enrolment BaseURL of account-driven Device Enrollment
	// (mdm-adde, iOS 17 and later), for company-owned phones.
	PathEnrolDevice = PathEnrol + "/device"
	// PathSignIn is the web sign-in page the phone shows when it has no valid token.
	PathSignIn = "/apple/signin"
	// PathSignInDevice is the sign-in page of a device enrolment: it takes only
	// invitations for company-owned phones.
	PathSignInDevice = PathSignIn + "/device"
	// PathSignedIn is where the tenant's provider sends the sign-in sheet back when the
	// tenant asks its employees to confirm who they are; the tenant registers it at its
	// provider as a redirect URI.
	PathSignedIn = PathSignIn + "/callback"
	// PathCheckIn is the MDM CheckInURL: Authenticate, TokenUpdate, CheckOut and the other
	// check-in messages.
	PathCheckIn = "/mdm/checkin"
	// PathConnect is the MDM ServerURL: command results and the next command.
	PathConnect = "/mdm/connect"
)

// CA is what the component needs of the installation's CA (pki.CA has it).
type CA interface {
	// NewChallenge makes a one-time SCEP challenge bound to an enrolment, for its MDM
	// identity.
	NewChallenge(ctx context.Context, id pki.Identity) (pki.Challenge, error)
	// NewMailChallenge makes one for the certificate of its work mail account, which
	// names the enrolment too but carries the mail marker (pki.PurposeMail).
	NewMailChallenge(ctx context.Context, id pki.Identity) (pki.Challenge, error)
	// VerifyDevice checks a device certificate (chain, clientAuth, revocation, not the
	// work mail account's) and returns the enrolment it names.
	VerifyDevice(ctx context.Context, cert *x509.Certificate) (pki.Identity, error)
	// Root is the CA's root certificate, which enrolment profiles carry.
	Root() *x509.Certificate
	// SCEPURL is where devices get their certificates.
	SCEPURL() string
}

// Config says what the component needs from its surroundings.
type Config struct {
	// PublicURL is where phones reach the server (https).
	PublicURL *url.URL
	// Topic is the APNs topic of the MDM push certificate ("com.apple.mgmt.…"), which the
	// enrolment profile names. Until it is set, enrolment profiles are refused with 503.
	Topic string
	// ProfileSigner returns the certificate (with its chain) and key that enrolment
	// profiles are signed with: the server's TLS certificate (see TLSCertificate).
	ProfileSigner func() (*tls.Certificate, error)
	Log           *slog.Logger
	// ClientAddr returns the address a sign-in comes from, for limiting code guesses: the
	// server's, which decides which proxies it trusts (api.ForwardedFor), handed over at
	// wiring. Nil counts every sign-in as coming from one client.
	ClientAddr func(*http.Request) netip.Addr
	// Events counts the phones' messages for /metrics; nil counts nothing.
	Events *metrics.Events
	// Changes, when the server runs it, lets the check-in keep in memory which device an
	// enrolment token authenticates (see ios/storage for the rest of what it keeps).
	Changes *store.Changes
}

// Storage is what the component keeps in the installation's database: nanomdm's state,
// the command queue and the tenants' push certificates (ios/storage has it).
type Storage interface {
	nanostorage.AllStorage
	Queue
	SetTenantPushCert(ctx context.Context, tenantID string, pemCert, pemKey []byte, then func(tx *store.Tx, p storage.TenantPush) error) (storage.TenantPush, error)
	TenantPushCert(ctx context.Context, tenantID string) (storage.TenantPush, error)
	WorkApps(ctx context.Context, enrollmentIDs []string) (map[string][]storage.WorkApp, error)
	DeviceWorkApps(ctx context.Context, tenantID, deviceID string) ([]storage.WorkApp, error)
	AppsRefused(ctx context.Context, rows []storage.WorkApp) error
	AppCommandResult(ctx context.Context, enrollmentID, commandUUID string, ok bool, errText string) error
	AppInventory(ctx context.Context, enrollmentID string, status map[string]string) error
	StatusDue(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
	CompanyOwned(ctx context.Context, ids []string) (map[string]bool, error)
	SetHardware(ctx context.Context, h storage.Hardware) error
	HardwareOf(ctx context.Context, tenantID, deviceID string) (storage.Hardware, bool, error)
	// Tables is the handle on the installation's tables, for the declarative channel's.
	Tables() store.Tables
}

// Platform is trennwand's Apple side: account-driven User Enrolment (discovery, web
// sign-in, enrolment profile), nanomdm's check-in and command protocol bound to the
// domain's devices, and the command queue with its privacy guard.
//
// An enrolment, as the phone sees it and as the domain records it:
//
//  1. Discovery: GET PathDiscovery?user-identifier=<managed Apple account> names the
//     BaseURL of User Enrolment (PathEnrol, version mdm-byod) and that of account-driven
//     Device Enrollment (PathEnrolDevice, version mdm-adde); the phone takes the one of
//     the enrolment it makes. Each way has its own sign-in page, which takes only
//     invitations of its ownership (see enrolmentWay); the rest is alike.
//  2. POST BaseURL without a token: 401, WWW-Authenticate: Bearer method="apple-as-web"
//     with the sign-in page (PathSignIn) as url.
//  3. The employee enters the invitation code on the sign-in page. The domain marks the
//     invitation used, creates the device (state invited) and an enrolment token (256
//     random bits, only its hash stored), all in one transaction; the page answers 308 to
//     apple-remotemanagement-user-login://authentication-results?access-token=<token>.
//  4. POST BaseURL with the token: the enrolment profile, signed (CMS) with the server's
//     TLS certificate, with a one-time SCEP challenge bound to the device.
//  5. SCEP gets the phone its identity certificate, which names tenant and device.
//  6. The phone talks to the MDM endpoints with the token and an Mdm-Signature by that
//     certificate: Authenticate moves the device to enrolling under Apple's enrolment ID,
//     the first TokenUpdate to active.
//
// The MDM endpoints are two, CheckInURL (PathCheckIn) and ServerURL (PathConnect), so that
// each request is one kind of message and is decoded as that kind.
type Platform struct {
	cfg   Config
	svc   *domain.Services
	ca    CA
	store Storage
	// checkins is the service chain behind the MDM endpoints.
	checkins service.CheckinAndCommandService
	log      *slog.Logger
	urls     urls
	// lic is the licensing of work apps (Apple Apps and Books); nil until UseLicences.
	lic Licences
	// devices keeps the device of each enrolment token (by the token's hash).
	devices *store.KeptDevices
	// ddm is the Declarative Device Management channel of phones on iOS 17.2 or later.
	ddm *ddm.Channel
	// bought are the devices tenants assigned to this server in Apple Business Manager;
	// nil until UseBoughtDevices.
	bought BoughtDevices
	// deviceCAs issue the devices whose signed device information is believed.
	deviceCAs *DeviceAnchors
}

// urls are the component's absolute URLs under the public URL.
type urls struct {
	enrol, enrolDevice, signIn, signInDevice, signedIn, checkIn, connect string
}

// New returns the component on the domain service, the CA and nanomdm's storage (the
// ios/storage implementation on the installation's database).
func New(svc *domain.Services, ca CA, store Storage, cfg Config) (*Platform, error) {
	if cfg.PublicURL == nil || cfg.PublicURL.Scheme != "https" || cfg.PublicURL.Host == "" {
		return nil, errors.New("ios: the public URL must be an https URL: phones talk only to https")
	}
	if cfg.Topic != "" && !strings.HasPrefix(cfg.Topic, "com.apple.mgmt.") {
		return nil, fmt.Errorf("ios: APNs topic %q: an MDM topic begins with \"com.apple.mgmt.\"", cfg.Topic)
	}
	if cfg.ProfileSigner == nil {
		return nil, errors.New("ios: a profile signer is needed: enrolment profiles are signed")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = oneClient
	}
	// nanomdm's service stores what the phone says; certauth in front of it binds the
	// certificate to the enrolment ID on Authenticate and holds every later message to
	// that binding. The domain binding goes in front of both.
	channel := ddm.NewChannel(store.Tables(), svc)
	core := nanomdm.New(store, nanomdm.WithUserAuthenticate(nanomdm.NewUAService(store, false)),
		nanomdm.WithDeclarativeManagement(declarative{ch: channel}))
	p := &Platform{cfg: cfg, svc: svc, ca: ca, store: store, log: cfg.Log, devices: keptDevices(cfg.Changes), ddm: channel}
	p.checkins = &binding{next: certauth.New(core, store), svc: svc, reports: p.commandReport, declarative: p.enableDeclarative,
		enrolled: p.askHardware}
	p.urls = urls{
		enrol:        cfg.PublicURL.JoinPath(PathEnrol).String(),
		enrolDevice:  cfg.PublicURL.JoinPath(PathEnrolDevice).String(),
		signIn:       cfg.PublicURL.JoinPath(PathSignIn).String(),
		signInDevice: cfg.PublicURL.JoinPath(PathSignInDevice).String(),
		signedIn:     cfg.PublicURL.JoinPath(PathSignedIn).String(),
		checkIn:      cfg.PublicURL.JoinPath(PathCheckIn).String(),
		connect:      cfg.PublicURL.JoinPath(PathConnect).String(),
	}
	return p, nil
}

// Handler serves the component's paths (see the Path constants); anything else is 404.
func (p *Platform) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathDiscovery, p.serveDiscovery)
	for _, way := range []enrolmentWay{p.userEnrolment(), p.deviceEnrolment()} {
		mux.HandleFunc("POST "+way.enrolPath, way.serveEnrol)
		mux.HandleFunc("GET "+way.signInPath, way.serveSignInForm)
		mux.HandleFunc("POST "+way.signInPath, way.serveSignIn)
	}
	mux.HandleFunc("GET "+PathSignedIn, p.serveSignedIn)
	mux.HandleFunc("GET "+PathSignInAutomated("{tenant}"), p.serveAutomatedForm)
	mux.HandleFunc("POST "+PathSignInAutomated("{tenant}"), p.serveAutomatedSignIn)
	mux.HandleFunc("POST "+PathEnrolAutomated("{tenant}"), p.serveAutomatedEnrol)
	mux.Handle("PUT "+PathCheckIn, p.mdmHandler(true))
	mux.Handle("PUT "+PathConnect, p.mdmHandler(false))
	mux.HandleFunc("GET "+PathMailIdentity, p.serveMailIdentity)
	return mux
}

// TLSCertificate returns a ProfileSigner that signs with the server's TLS certificate as
// cfg serves it: its first certificate, or what GetCertificate answers for the public host
// (a certificate renewed in the background is picked up).
func TLSCertificate(cfg *tls.Config, publicHost string) func() (*tls.Certificate, error) {
	return func() (*tls.Certificate, error) {
		if len(cfg.Certificates) > 0 {
			return &cfg.Certificates[0], nil
		}
		if cfg.GetCertificate != nil {
			return cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: publicHost})
		}
		return nil, errors.New("ios: the TLS configuration has no certificate")
	}
}

// oneClient is the client address without the server's function: every sign-in counts
// as the same client, so guesses are limited all the stricter.
func oneClient(*http.Request) netip.Addr { return netip.Addr{} }

// record appends an audit event in tx, the transaction of the change it records, at the
// time the domain service keeps.
func (p *Platform) record(ctx context.Context, tx mdm.Store, tenantID string, rec audit.Record) error {
	_, err := tx.AppendAudit(ctx, tenantID, p.svc.Now(), rec)
	return err
}
