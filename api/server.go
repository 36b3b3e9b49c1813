package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"

	"github.com/trennwand/trennwand/buildinfo"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// Server is the HTTPS server with everything mounted on it.
type Server struct {
	echo            *echo.Echo
	log             *slog.Logger
	tls             *tls.Config
	shutdownTimeout time.Duration
	clientAddr      func(*http.Request) netip.Addr
	maxConnections  int
	metrics         http.Handler
	sso             ssoConnector
}

// SSOCheck is what the dashboard's settings page tests a tenant's single sign-on provider
// with: the discovery document, fetched with the server's client for providers.
func (s *Server) SSOCheck() dashboard.SSOCheck { return s.sso }

// Config says what the server needs from its surroundings.
type Config struct {
	Log *slog.Logger
	// TLS holds the server certificate; every listener speaks TLS.
	TLS *tls.Config
	// Ready reports whether the server can do its work (database reachable, schema
	// current); /readyz answers 503 with the error while it fails.
	Ready func(ctx context.Context) error
	// Metrics is the registry /metrics serves; the server adds its HTTP metrics to it.
	Metrics *prometheus.Registry
	// PKI is the CA whose SCEP endpoint, certificates and CRL the server publishes; nil
	// publishes none.
	PKI PKI
	// ShutdownTimeout bounds how long in-flight requests may take to finish after a stop
	// signal. Zero means 30 seconds.
	ShutdownTimeout time.Duration
	// ClientAddr returns the address a request comes from, for throttling sign-in
	// attempts; nil takes the connection's peer. Behind load balancers it is
	// ForwardedFor with the trusted proxies.
	ClientAddr func(*http.Request) netip.Addr
	// MaxConnections bounds the connections served at once; further ones wait in the
	// kernel's backlog. Zero means DefaultMaxConnections.
	MaxConnections int
	// MetricsListener moves /metrics off the main listener: ServeMetrics serves it on a
	// listener of its own and the main one answers 404. Unset, the main listener serves
	// /metrics to loopback clients only (a Prometheus on the same host).
	MetricsListener bool
	// Build is the binary's version, shown by /healthz.
	Build buildinfo.Info
	// SSOClient reaches the tenants' single sign-on providers; nil takes a client with a
	// timeout that trusts the system's roots.
	SSOClient *http.Client
}

// DefaultMaxConnections is how many connections one server serves at once: with HTTP/2
// many phones share few connections, and every connection costs memory whether it sends
// anything or not.
const DefaultMaxConnections = 4096

// MaxHeaderBytes bounds a request's header; phones and browsers send a few kilobytes.
const MaxHeaderBytes = 64 << 10

// MaxBodyBytes bounds a request body unless a route sets its own limit.
const MaxBodyBytes = 1 << 20

// MaxReceiveBuffer bounds what an HTTP/2 connection may send ahead of the handler reading
// it (its flow-control window). Go's default of 1 MiB per connection let a burst of large
// bodies, refused with 413 unread, hold a mebibyte per connection each.
const MaxReceiveBuffer = 128 << 10

// New returns a server with the operational routes mounted.
func New(cfg Config) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(cfg.Log)
	s := &Server{echo: e, log: cfg.Log, tls: hardened(cfg.TLS), shutdownTimeout: cfg.ShutdownTimeout, clientAddr: cfg.ClientAddr,
		maxConnections: cfg.MaxConnections, metrics: metricsHandler(cfg.Metrics), sso: newSSOConnector(cfg.SSOClient)}
	if s.clientAddr == nil {
		s.clientAddr = ConnectionAddr
	}
	if s.shutdownTimeout == 0 {
		s.shutdownTimeout = 30 * time.Second
	}
	if s.maxConnections == 0 {
		s.maxConnections = DefaultMaxConnections
	}
	e.Use(
		middleware.RequestID(),
		observe(cfg.Log, newHTTPMetrics(cfg.Metrics)),
		// The stack is captured (DisablePrintStack stays false) and handed to LogErrorFunc,
		// which logs it through slog; echo prints nothing itself when LogErrorFunc is set.
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			cfg.Log.Error("handler panicked", "route", c.Path(), "error", err, "stack", string(stack))
			return err
		}}),
		middleware.BodyLimit(fmt.Sprint(MaxBodyBytes)),
		middleware.SecureWithConfig(middleware.SecureConfig{
			XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
			HSTSMaxAge: 31536000, ReferrerPolicy: "no-referrer",
			ContentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
		}),
	)
	mountHealth(e, cfg.Ready, cfg.Build)
	if !cfg.MetricsListener {
		e.GET("/metrics", echo.WrapHandler(s.metrics), loopbackOnly)
	}
	if cfg.PKI != nil {
		mountPKI(e, cfg.PKI)
	}
	return s
}

// Echo returns the router, on which the platform, PKI and page handlers are mounted.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Serve answers HTTPS requests on ln until ctx ends, then stops taking new connections and
// lets requests in flight finish (up to the shutdown timeout).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, s.echo)
}

// ServeMetrics answers /metrics, and nothing else, over HTTPS on ln until ctx ends: the
// listener of Config.MetricsListener, which the operator keeps to the monitoring network.
func (s *Server) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics)
	return s.serve(ctx, ln, mux)
}

func (s *Server) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         s.tls,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    MaxHeaderBytes,
		HTTP2: &http.HTTP2Config{
			MaxReceiveBufferPerConnection: MaxReceiveBuffer,
			MaxReceiveBufferPerStream:     MaxReceiveBuffer,
		},
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln = netutil.LimitListener(ln, s.maxConnections)
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("stopping: finishing requests in flight", "timeout", s.shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}
