package serve

import (
	"context"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/depfake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/overview"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The server token from Apple Business Manager is one of a tenant's own expiries: /metrics
// shows the seconds until it ends (negative once it has), per tenant or the soonest, and
// the overview warns of one that ends within 30 days, not of one that ends later. A tenant
// with only the certificate for Apple Business Manager has no token to expire.
func TestTheServerTokensExpiryIsMeasuredAndWarnedOf(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, backend, store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}))
			svc := domain.New(st, storetest.PlainSealer{})
			apple := depfake.Start()
			t.Cleanup(apple.Close)
			abm, err := dep.New(dep.Config{Tables: st.Tables(), Sealer: storetest.PlainSealer{}, URL: apple.URL(),
				EnrolURL: func(id string) string { return "https://mdm.musterstadt.example" + ios.PathEnrolAutomated(id) },
				WebURL:   func(id string) string { return "https://mdm.musterstadt.example" + ios.PathSignInAutomated(id) }})
			if err != nil {
				t.Fatal(err)
			}
			in := &server{appleDevices: abm}

			now := time.Now().UTC().Truncate(time.Second)
			soon, later, certOnly := storetest.Tenant(t, svc, "musterstadt"), storetest.Tenant(t, svc, "nachbarort"), storetest.Tenant(t, svc, "kleinstadt")
			for _, token := range []struct {
				tn   mdm.Tenant
				ends time.Time
			}{{soon, now.AddDate(0, 0, 10)}, {later, now.AddDate(0, 0, 200)}} {
				tn := token.tn
				certPEM, err := abm.Certificate(ctx, tn.ID)
				if err != nil {
					t.Fatal(err)
				}
				apple.SetTokenExpiry(token.ends)
				file, err := apple.TokenFileFor(certPEM)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := abm.SetToken(ctx, "test", tn.ID, file); err != nil {
					t.Fatalf("the server token of %s: %v", tn.Name, err)
				}
			}
			if _, err := abm.Certificate(ctx, certOnly.ID); err != nil {
				t.Fatal(err)
			}

			own := func(tn mdm.Tenant) []metrics.Expiry {
				t.Helper()
				ex, err := in.tenantsOwnExpiries(ctx, tn)
				if err != nil {
					t.Fatalf("the expiries of %s: %v", tn.Name, err)
				}
				return ex
			}
			if items := overview.Expiring(own(soon), now); len(items) != 1 || items[0].Kind != metrics.ExpiryABMServerToken ||
				!items[0].Ends.Equal(now.AddDate(0, 0, 10)) || items[0].Expired {
				t.Errorf("the overview of a token that ends in 10 days: %+v", items)
			}
			if items := overview.Expiring(own(later), now); len(items) != 0 {
				t.Errorf("a token that ends in 200 days needs attention: %+v", items)
			}
			if ex := own(certOnly); len(ex) != 0 {
				t.Errorf("a tenant without a token has expiries: %+v", ex)
			}

			all := append(append(own(soon), own(later)...), own(certOnly)...)
			expiries := func(context.Context) ([]metrics.Expiry, error) { return all, nil }
			day := float64(24 * 60 * 60)
			for _, c := range []struct {
				name        string
				at          time.Time
				tenantLabel bool
				want        map[string]float64
			}{
				{"per tenant", now, true, map[string]float64{"musterstadt": 10 * day, "nachbarort": 200 * day}},
				{"the soonest", now, false, map[string]float64{"": 10 * day}},
				{"a day after the soonest ended", now.AddDate(0, 0, 11), false, map[string]float64{"": -day}},
			} {
				g := metrics.NewGauges(metrics.Sources{Expiries: expiries},
					metrics.Options{TenantLabel: c.tenantLabel, Now: func() time.Time { return c.at }})
				if got := serverTokenExpiries(t, g); !maps.Equal(got, c.want) {
					t.Errorf("%s: trennwand_certificate_expiry_seconds{kind=%q} by tenant %v, want %v", c.name, metrics.ExpiryABMServerToken, got, c.want)
				}
			}
		})
	}
}

// serverTokenExpiries scrapes the gauges and returns the server tokens' seconds until
// they end, by the tenant label ("" without it).
func serverTokenExpiries(t *testing.T, g prometheus.Collector) map[string]float64 {
	t.Helper()
	series := regexp.MustCompile(`^trennwand_certificate_expiry_seconds\{kind="` + metrics.ExpiryABMServerToken + `"(?:,tenant="([^"]*)")?\} (\S+)$`)
	out := map[string]float64{}
	for _, line := range strings.Split(storetest.Scrape(t, g), "\n") {
		if m := series.FindStringSubmatch(line); m != nil {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			out[m[1]] = v
		}
	}
	return out
}
