package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/trennwand/trennwand/buildinfo"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/pki"
)

// registerMetrics adds to reg what /metrics serves beside the API server's HTTP metrics:
// the Go runtime and the process, the build, what the installation counts as it happens,
// and its state read from the database at scrape time.
func (in *server) registerMetrics(reg *prometheus.Registry, build buildinfo.Info, ca *pki.CA, tlsCfg *tls.Config) {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		metrics.BuildInfo(build.Version, build.Commit, build.Date, build.GoVersion), in.Events)
	st := in.Store.Metrics()
	reg.MustRegister(metrics.NewGauges(metrics.Sources{
		Devices:  st.Devices,
		Commands: st.Commands,
		Jobs:     st.Jobs,
		JobKinds: in.Events.JobKinds,
		Audit:    st.Audit,
		Expiries: in.expiries(ca, tlsCfg),
		Ready:    in.Ready,
	}, metrics.Options{TenantLabel: in.Config.MetricsTenantLabel, Log: in.Log.With("component", "metrics")}))
}

// expiries lists when the installation's certificates and tokens end: the CA's root and
// intermediate, the server certificate (as it is served now, renewals included), and each
// tenant's APNs push certificate and Apps and Books token.
func (in *server) expiries(ca *pki.CA, tlsCfg *tls.Config) func(ctx context.Context) ([]metrics.Expiry, error) {
	own := in.installationExpiries(ca, tlsCfg)
	return func(ctx context.Context) ([]metrics.Expiry, error) {
		out, err := own()
		if err != nil || in.applePlatform == nil {
			return out, err
		}
		tenants, err := in.Service.Tenants(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range tenants {
			ex, err := in.tenantsOwnExpiries(ctx, t)
			if err != nil {
				return nil, err
			}
			out = append(out, ex...)
		}
		return out, nil
	}
}

// tenantExpiries is expiries for the dashboard's overview of one tenant: the
// installation's certificates and the tenant's own push certificate and token.
func (in *server) tenantExpiries(ca *pki.CA, tlsCfg *tls.Config) func(ctx context.Context, t mdm.Tenant) ([]metrics.Expiry, error) {
	own := in.installationExpiries(ca, tlsCfg)
	return func(ctx context.Context, t mdm.Tenant) ([]metrics.Expiry, error) {
		out, err := own()
		if err != nil {
			return nil, err
		}
		ex, err := in.tenantsOwnExpiries(ctx, t)
		return append(out, ex...), err
	}
}

// installationExpiries lists when the CA's root and intermediate and the server
// certificate end.
func (in *server) installationExpiries(ca *pki.CA, tlsCfg *tls.Config) func() ([]metrics.Expiry, error) {
	serverCert := ios.TLSCertificate(tlsCfg, in.Config.PublicURL.Hostname())
	return func() ([]metrics.Expiry, error) {
		out := []metrics.Expiry{
			{Kind: metrics.ExpiryCARoot, NotAfter: ca.Root().NotAfter},
			{Kind: metrics.ExpiryCAIntermediate, NotAfter: ca.Intermediate().NotAfter},
		}
		if c, err := serverCert(); err == nil && len(c.Certificate) > 0 {
			leaf := c.Leaf
			if leaf == nil {
				if leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
					return nil, err
				}
			}
			out = append(out, metrics.Expiry{Kind: metrics.ExpiryServerTLS, NotAfter: leaf.NotAfter})
		}
		return out, nil
	}
}

// tenantsOwnExpiries lists when the tenant's APNs push certificate and Apps and Books
// token end; a tenant without them has none to expire.
func (in *server) tenantsOwnExpiries(ctx context.Context, t mdm.Tenant) ([]metrics.Expiry, error) {
	if in.applePlatform == nil {
		return nil, nil
	}
	var out []metrics.Expiry
	add := func(kind string, notAfter time.Time, err error) error {
		if err == nil {
			out = append(out, metrics.Expiry{Kind: kind, Tenant: t.Name, NotAfter: notAfter})
		}
		if errors.Is(err, mdm.ErrNotFound) {
			return nil
		}
		return err
	}
	pc, err := in.applePlatform.PushCertificate(ctx, t.ID)
	if err := add(metrics.ExpiryAPNs, pc.NotAfter, err); err != nil {
		return nil, err
	}
	if in.appleLicences == nil {
		return out, nil
	}
	tok, err := in.appleLicences.LicenceToken(ctx, t.ID)
	if err := add(metrics.ExpiryAppsAndBooks, tok.ExpiresAt, err); err != nil {
		return nil, err
	}
	return out, nil
}
