package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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
// tenant's own (ownExpiries).
func (in *server) expiries(ca *pki.CA, tlsCfg *tls.Config) func(ctx context.Context) ([]metrics.Expiry, error) {
	own := in.installationExpiries(ca, tlsCfg)
	return func(ctx context.Context) ([]metrics.Expiry, error) {
		out, err := own()
		if err != nil || len(in.ownExpiries()) == 0 {
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
// installation's certificates and the tenant's own certificates and tokens.
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

// ownExpiry reads when one kind of a tenant's own certificates and tokens ends: a zero
// time or mdm.ErrNotFound when the tenant has none.
type ownExpiry struct {
	kind string
	ends func(ctx context.Context, tenantID string) (time.Time, error)
}

// ownExpiries are the tenants' certificates and tokens of the platforms the server runs:
// the APNs push certificate, the Apps and Books token and the server token from Apple
// Business Manager.
func (in *server) ownExpiries() []ownExpiry {
	var out []ownExpiry
	if p := in.applePlatform; p != nil {
		out = append(out, ownExpiry{metrics.ExpiryAPNs, func(ctx context.Context, tenantID string) (time.Time, error) {
			pc, err := p.PushCertificate(ctx, tenantID)
			return pc.NotAfter, err
		}})
	}
	if lic := in.appleLicences; lic != nil {
		out = append(out, ownExpiry{metrics.ExpiryAppsAndBooks, func(ctx context.Context, tenantID string) (time.Time, error) {
			tok, err := lic.LicenceToken(ctx, tenantID)
			return tok.ExpiresAt, err
		}})
	}
	if abm := in.appleDevices; abm != nil {
		out = append(out, ownExpiry{metrics.ExpiryABMServerToken, func(ctx context.Context, tenantID string) (time.Time, error) {
			// Until a token is uploaded there is only the certificate for Apple
			// Business Manager, and no token to expire.
			tok, err := abm.Token(ctx, tenantID)
			if !tok.Uploaded {
				return time.Time{}, err
			}
			return tok.ExpiresAt, err
		}})
	}
	return out
}

// tenantsOwnExpiries lists when the tenant's own certificates and tokens end; a tenant
// without one has none of it to expire.
func (in *server) tenantsOwnExpiries(ctx context.Context, t mdm.Tenant) ([]metrics.Expiry, error) {
	var out []metrics.Expiry
	for _, own := range in.ownExpiries() {
		notAfter, err := own.ends(ctx, t.ID)
		switch {
		case errors.Is(err, mdm.ErrNotFound):
			// The tenant has not set this one up.
		case err != nil:
			return nil, fmt.Errorf("when the %s of tenant %s ends: %w", own.kind, t.Name, err)
		case !notAfter.IsZero():
			out = append(out, metrics.Expiry{Kind: own.kind, Tenant: t.Name, NotAfter: notAfter})
		}
	}
	return out, nil
}
