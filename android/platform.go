package android

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store"
)

// The paths this component serves under the public URL.
const (
	// PathPubSub is the Pub/Sub push endpoint; the push URL carries the tenant's secret
	// in the query parameter "token".
	PathPubSub = "/android/pubsub"
	// PathSignupCallback is where Google's sign-up page returns with the enterprise token.
	PathSignupCallback = "/android/signup"
	// PathCertificateChallenge is where the companion app asks for a SCEP challenge.
	PathCertificateChallenge = "/android/certificate-challenge"
)

// Config says what the component needs from its surroundings.
type Config struct {
	// PublicURL is where Google reaches the server (push URL, sign-up callback).
	PublicURL *url.URL
	Log       *slog.Logger
	// Challenges makes SCEP challenges for device certificates; without it (nil) device
	// certificates are off.
	Challenges Challenger
	// ClientAddr returns the address a request comes from, for limiting guessed
	// enrolment-specific IDs: the server's, which decides which proxies it trusts
	// (api.ForwardedFor), handed over at wiring. Nil counts every request as coming from
	// one client.
	ClientAddr func(*http.Request) netip.Addr
	// Events counts Google's notifications for /metrics; nil counts nothing.
	Events *metrics.Events
	// PlayIframeURL is where the managed Google Play iframe is served; empty means
	// Google's (PlayIframeURL). Demo mode and tests point it at the AMAPI fake's page.
	PlayIframeURL string
	// PlayScriptOrigin is the origin of the gapi script (/js/api.js) that opens the
	// iframe and carries its events to the page; empty means Google's
	// (PlayScriptOrigin). Demo mode and tests point it at the AMAPI fake.
	PlayScriptOrigin string
}

// Platform is trennwand's Android side. It is an mdm.Driver.
type Platform struct {
	svc    *domain.Services
	tables store.Tables
	db     *gorm.DB // tables.DB(), for reading the platform's own rows
	amapi  *Client
	cfg    Config
	log    *slog.Logger
	pubsub string // absolute URL of PathPubSub
	batch  reportBatch
}

var _ mdm.Driver = (*Platform)(nil)

// New returns the component on the domain service, its tables in the installation's
// database (the android_ tables) and an AMAPI client.
func New(svc *domain.Services, tables store.Tables, client *Client, cfg Config) *Platform {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = oneClient
	}
	return &Platform{svc: svc, tables: tables, db: tables.DB(), amapi: client, cfg: cfg, log: cfg.Log,
		pubsub: cfg.PublicURL.JoinPath(PathPubSub).String()}
}

// Platform is the platform this driver serves.
func (p *Platform) Platform() mdm.Platform { return mdm.PlatformAndroid }

// Handler serves the component's paths (see the Path constants); anything else is 404.
func (p *Platform) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathPubSub, p.servePubSub)
	mux.HandleFunc("GET "+PathSignupCallback, p.serveSignupCallback)
	mux.HandleFunc("POST "+PathCertificateChallenge, p.serveCertificateChallenge)
	return mux
}

// oneClient is the client address without the server's function: every request counts
// as the same client, so guesses are limited all the stricter.
func oneClient(*http.Request) netip.Addr { return netip.Addr{} }
