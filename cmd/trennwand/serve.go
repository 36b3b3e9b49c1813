package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/demo"
	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

func newServeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Start the server (creates the installation on an empty data directory)",
		Long: `Start the HTTPS server.

On an empty data directory it creates the SQLite database (or uses TRENNWAND_DB),
applies the schema, creates the tenant "default" and a first administrator, and
prints the sign-in details once. Later starts apply pending schema upgrades.

Only one server may use a data directory at a time; a second one refuses to start.
SIGTERM or SIGINT stops the server after the requests in flight have finished.`,
		Example: `  trennwand serve
  TRENNWAND_DB=postgres://trennwand:secret@db:5432/trennwand trennwand serve --public-url https://mdm.musterstadt.de`,
		Args: exactArgs(),
		RunE: runServe,
	}
	f := c.Flags()
	f.String("addr", ":8443", "address to listen on for HTTPS; env TRENNWAND_ADDR")
	f.String("memory-limit", inst.DefaultMemoryLimit, "the Go runtime's soft memory limit (GOMEMLIMIT, which wins when set): memory beyond it is collected and given back sooner; off for none; env TRENNWAND_MEMORY_LIMIT")
	f.String("metrics-addr", "", "address to serve /metrics on (HTTPS, nothing else there), e.g. 10.0.0.5:9443; unset, the main listener answers /metrics to clients on this host only; env TRENNWAND_METRICS_ADDR")
	f.String("tls-cert", "", "PEM server certificate (default: one issued by the embedded CA, kept in the data directory); env TRENNWAND_TLS_CERT")
	f.String("tls-key", "", "PEM private key of --tls-cert; env TRENNWAND_TLS_KEY")
	f.String("admin-email", "admin@localhost", "e-mail address of the first administrator, used on an empty installation; env TRENNWAND_ADMIN_EMAIL")
	f.String("amapi-endpoint", "", "Android Management API base URL (a partner proxy or a fake); env TRENNWAND_AMAPI_ENDPOINT")
	f.String("amapi-credentials", "", "service-account JSON file for the Android Management API; env TRENNWAND_AMAPI_CREDENTIALS")
	f.String("apns-url", "", "Apple Push Notification service base URL; env TRENNWAND_APNS_URL")
	f.String("vpp-url", "", "Apple Apps and Books for Organizations API base URL (default Apple's); env TRENNWAND_VPP_URL")
	f.String("vpp-metadata-url", "", "Apple's app metadata lookup base URL (default Apple's); env TRENNWAND_VPP_METADATA_URL")
	f.String("apns-topic", "", "APNs topic of the MDM push certificate (com.apple.mgmt.…), named in enrolment profiles; env TRENNWAND_APNS_TOPIC")
	f.String("smtp-url", "", "SMTP server for invitation e-mail: smtp://user:password@host:587 (STARTTLS) or smtps://…:465; env TRENNWAND_SMTP_URL")
	f.String("trusted-proxies", "", "comma-separated networks of load balancers whose X-Forwarded-For names the client, e.g. 10.0.0.0/8; env TRENNWAND_TRUSTED_PROXIES")
	f.String("mail-from", "", "sender address of invitation e-mail; env TRENNWAND_MAIL_FROM")
	f.Duration("device-cert-validity", 365*24*time.Hour, "how long device certificates are valid; env TRENNWAND_DEVICE_CERT_VALIDITY")
	f.Int("demo-devices", 0, "with --demo: how many simulated phones (half iPhones, half Android) enrol in the background, so that the dashboard has devices to show")
	f.Bool("demo", false, "demo mode: run in-process stand-ins for Google's Android Management API and Apple's push service, with a ready tenant and sample work policy, so that phones can be simulated without Google or Apple accounts")
	return c
}

func runServe(cmd *cobra.Command, _ []string) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	operatorCert, err := inst.OperatorCertificate(cfg)
	if err != nil {
		return usageError{err}
	}
	log := cfg.Logger(cmd.ErrOrStderr())
	ctx := cmd.Context()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	var dm *demo.Demo
	if on, _ := cmd.Flags().GetBool("demo"); on {
		dm = startDemo(&cfg)
		defer dm.Close()
		log.Warn("DEMO MODE: Google and Apple are played by in-process fakes; nothing reaches a real phone", "amapi", cfg.AMAPIEndpoint, "apns", cfg.APNsURL)
	}
	unlock, err := inst.Lock(cfg)
	if err != nil {
		return err
	}
	defer unlock()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen for /metrics on %s: %w", cfg.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}

	opened, creds, err := inst.OpenForServe(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer opened.Close()
	in := wrap(opened)
	if creds != nil {
		if err := printSignIn(cmd.OutOrStdout(), in.cfg, *creds); err != nil {
			return err
		}
	}
	ca, err := in.CA(ctx)
	if err != nil {
		return err
	}
	tlsCfg, err := in.ServerTLS(ctx, operatorCert)
	if err != nil {
		return err
	}
	metrics := prometheus.NewRegistry()
	metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := api.New(api.Config{Log: log, TLS: tlsCfg, Metrics: metrics, Ready: in.Ready, PKI: ca,
		ClientAddr: api.ForwardedFor(cfg.TrustedProxies), MetricsListener: metricsLn != nil})
	if dm != nil {
		in.apnsRoots, in.demo = dm.APNsRoots(), true
	}
	if err := in.mountApple(srv, tlsCfg); err != nil {
		return err
	}
	if in.androidPlatform, err = mountAndroid(ctx, in, srv, log); err != nil {
		return err
	}
	if dm != nil {
		if err := dm.Seed(ctx, in.svc, in.applePlatform, in.appleLicences, in.androidPlatform, ca.Root()); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	stopJobs, err := in.startJobs(ctx)
	if err != nil {
		return err
	}
	defer stopJobs()
	if err := mountConsole(srv, in, ca, log); err != nil {
		return err
	}
	if err := mountPortal(srv, in, in.portalDrivers(), log); err != nil {
		return err
	}
	if dm != nil {
		dm.MountSimEndpoints(srv.Echo(), in.svc)
		if n, _ := cmd.Flags().GetInt("demo-devices"); n > 0 {
			dm.StartDevices(ctx, in.svc, strings.TrimRight(in.cfg.PublicURL.String(), "/"), ca.Root(), n, log)
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "public_url", in.cfg.PublicURL.String(), "database", cfg.DB.String())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(gctx, ln) })
	if metricsLn != nil {
		log.Info("serving /metrics", "addr", metricsLn.Addr().String())
		g.Go(func() error { return srv.ServeMetrics(gctx, metricsLn) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// printSignIn shows the first administrator's credentials, the only time they are shown.
func printSignIn(w io.Writer, cfg config, creds access.AdminCredentials) error {
	signIn := cfg.PublicURL.JoinPath("/ui/").String()
	if cfg.JSON {
		return printJSON(w, map[string]string{
			"tenant": mdm.DefaultTenant, "url": signIn, "email": creds.Email,
			"password": creds.Password, "totp_secret": creds.TOTPSecret, "totp_url": creds.TOTPURL,
		})
	}
	_, err := fmt.Fprintf(w, `
trennwand has created a new installation. Sign in as its first administrator:

  Sign-in page:   %s
  Tenant:         %s
  E-mail:         %s
  Password:       %s   (one-time: choose your own at first sign-in)
  Second factor:  %s
                  (add it to an authenticator app, or scan this URL as a QR code:
                   %s)

These details are shown only now. Keep them safe.

`, signIn, mdm.DefaultTenant, creds.Email, creds.Password, creds.TOTPSecret, creds.TOTPURL)
	return err
}

// errNotReady is returned by the health check when the server answers but is not ready.
var errNotReady = errors.New("not ready")
