// Package serve is what `trennwand serve` runs on an installation: the HTTP server with
// the platforms, the console and the employee portal mounted on it, the job queue with
// its workers, and in demo mode the demo beside them. cmd/trennwand parses the flags and
// hands the configuration here.
package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/buildinfo"
	"github.com/trennwand/trennwand/demo"
	"github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/ui/output"
)

// Options are what serve is asked for beside the configuration.
type Options struct {
	// Operator is the server certificate the operator gave; nil for one issued by the CA.
	Operator *tls.Certificate
	// Demo runs in-process stand-ins for Google and Apple with a ready tenant;
	// DemoDevices simulated phones then enrol in the background.
	Demo        bool
	DemoDevices int
	// Out receives the first administrator's sign-in details, shown once.
	Out io.Writer
}

// server is an installation being served, with the parts whose background work the job
// queue runs.
type server struct {
	*installation.Installation
	applePlatform   *ios.Platform
	appleLicences   *licences.Service
	appleDevices    *dep.Service
	pusher          *ios.Pusher
	androidPlatform *android.Platform
	// apnsRoots, if set, are the CAs the APNs server's certificate must come from (the
	// demo's fake).
	apnsRoots *x509.CertPool
	// demo is set in demo mode, which the dashboard shows.
	demo bool
}

// Run serves the installation of cfg, creating or upgrading it first, until ctx ends;
// then it lets the requests in flight finish.
func Run(ctx context.Context, cfg installation.Config, log *slog.Logger, opts Options) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	var dm *demo.Demo
	if opts.Demo {
		dm = startDemo(&cfg)
		defer dm.Close()
		log.Warn("DEMO MODE: Google and Apple are played by in-process fakes; nothing reaches a real phone", "amapi", cfg.AMAPIEndpoint, "apns", cfg.APNsURL)
	}
	unlock, err := installation.Lock(cfg)
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

	opened, creds, err := installation.OpenForServe(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer opened.Close()
	in := &server{Installation: opened}
	if err := in.useSIEM(ctx); err != nil {
		return err
	}
	if creds != nil {
		if err := printSignIn(opts.Out, in.Config, *creds); err != nil {
			return err
		}
	}
	ca, err := in.CA(ctx)
	if err != nil {
		return err
	}
	tlsCfg, err := in.ServerTLS(ctx, opts.Operator)
	if err != nil {
		return err
	}
	build := buildinfo.Read()
	metrics := prometheus.NewRegistry()
	srv := api.New(api.Config{Log: log, TLS: tlsCfg, Metrics: metrics, Ready: in.Ready, PKI: ca,
		ClientAddr: api.ForwardedFor(cfg.TrustedProxies), MetricsListener: metricsLn != nil, Build: build})
	if dm != nil {
		in.apnsRoots, in.demo = dm.APNsRoots(), true
	}
	if err := in.mountApple(srv, tlsCfg); err != nil {
		return err
	}
	if in.androidPlatform, err = mountAndroid(ctx, in, srv, log); err != nil {
		return err
	}
	in.registerMetrics(metrics, build, ca, tlsCfg)
	if dm != nil {
		if err := dm.Seed(ctx, in.Service, in.applePlatform, in.appleLicences, in.androidPlatform, ca.Root()); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if err := dm.SeedDevices(ctx, in.appleDevices); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if err := writeDemoServerToken(ctx, dm, in.appleDevices, in.Config.DataDir, log); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	stopJobs, err := in.startJobs(ctx)
	if err != nil {
		return err
	}
	defer stopJobs()
	if err := mountConsole(srv, in, ca, tlsCfg, log); err != nil {
		return err
	}
	if err := mountPortal(srv, in, in.portalDrivers(), log); err != nil {
		return err
	}
	if dm != nil {
		dm.MountSimEndpoints(srv.Echo(), in.Service)
		if opts.DemoDevices > 0 {
			// The phones outlive ctx until the server has let its requests finish, as
			// phones in the world would.
			stopDevices := dm.StartDevices(context.WithoutCancel(ctx), in.Service, strings.TrimRight(in.Config.PublicURL.String(), "/"), ca.Root(), opts.DemoDevices, log)
			defer stopDevices()
		}
	}
	log.Info("serving", "version", build.Version, "commit", build.Commit, "built", build.Date, "go", build.GoVersion,
		"addr", ln.Addr().String(), "public_url", in.Config.PublicURL.String(), "database", cfg.DB.String())
	g, gctx := errgroup.WithContext(ctx)
	// What the check-in keeps in memory follows the changes of every replica from here on.
	g.Go(func() error { in.Store.Changes().Run(gctx, log.With("component", "changes")); return nil })
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

// writeDemoServerToken leaves a server token file of the fake Apple Business Manager in
// the data directory, so that uploading one on the dashboard can be tried as with Apple's.
func writeDemoServerToken(ctx context.Context, dm *demo.Demo, abm *dep.Service, dir string, log *slog.Logger) error {
	file, err := dm.ServerTokenFile(ctx, abm)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "demo-server-token.p7m")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		return fmt.Errorf("write the server token file: %w", err)
	}
	log.Info("demo: a server token file of the fake Apple Business Manager, to upload on the dashboard's page Apple Business Manager", "file", path)
	return nil
}

// startDemo starts the demo's fakes and points the configuration at them.
func startDemo(cfg *installation.Config) *demo.Demo {
	d := demo.Start()
	e := d.Endpoints()
	cfg.APNsURL, cfg.VPPURL, cfg.VPPMetadataURL, cfg.DEPURL, cfg.AMAPIEndpoint = e.APNs, e.VPP, e.VPPMetadata, e.DEP, e.AMAPI
	cfg.PlayIframeURL, cfg.PlayScriptOrigin = e.PlayIframe, e.PlayScript
	cfg.DemoDeviceCA = e.DeviceCA
	return d
}

// printSignIn shows the first administrator's credentials, the only time they are shown.
func printSignIn(w io.Writer, cfg installation.Config, creds access.AdminCredentials) error {
	signIn := cfg.PublicURL.JoinPath("/ui/").String()
	if cfg.JSON {
		return output.JSON(w, map[string]string{
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
