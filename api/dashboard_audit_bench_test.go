package api_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// benchNotary signs the trail's checkpoints with an Ed25519 key of its own, as the CA
// does in an installation, so that the page verifies from the last checkpoint as it does
// there.
type benchNotary struct {
	key ed25519.PrivateKey
	pub ed25519.PublicKey
}

func (n benchNotary) SignCheckpoint(payload []byte) (sig, certDER []byte, err error) {
	return ed25519.Sign(n.key, payload), n.pub, nil
}

func (n benchNotary) VerifyCheckpoint(payload, sig, _ []byte) error {
	if !ed25519.Verify(n.pub, payload, sig) {
		return errors.New("not the notary's signature")
	}
	return nil
}

// BenchmarkAuditPage measures the first page of the audit trail, as the dashboard
// renders it, over a tenant's 100,000 events: unfiltered and with each filter. It
// reports the 95th percentile of the requests (p95-ms); run it with -benchtime=200x.
func BenchmarkAuditPage(b *testing.B) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		b.Run(backend, func(b *testing.B) { benchmarkAuditPage(b, storetest.Open(b, backend)) })
	}
}

func benchmarkAuditPage(b *testing.B, s *store.Store) {
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	n := benchNotary{key: key, pub: pub}
	svc := domain.NewWith(s, storetest.PlainSealer{}, domain.Options{Trail: []trail.Option{trail.WithAuditSigner(n), trail.WithCheckpointVerifier(n)}},
		mdm.WithCertificates(fakeCertificates{}), mdm.WithPlatforms(setUp(ios.Registration()), setUp(android.Registration())))
	w := &apiWorld{t: b, store: s, svc: svc, tokens: map[mdm.Role]string{}}
	w.tenant = storetest.Tenant(b, svc, "musterstadt")
	w.srv = api.New(api.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: prometheus.NewRegistry(),
		Ready: func(context.Context) error { return nil }})
	public, _ := url.Parse("https://mdm.musterstadt.example")
	d, err := dashboard.New(dashboard.Config{Service: svc, PublicURL: public, AuditSigner: testAuditSigner})
	if err != nil {
		b.Fatal(err)
	}
	w.srv.MountDashboard(svc, d)

	// Ten administrators, 500 phones of 500 employees, five kinds of event, a minute apart.
	var admins []mdm.Admin
	for i := range 10 {
		a, _, err := svc.Access.CreateAdmin(ctx, "test", w.tenant, fmt.Sprintf("admin%d@musterstadt.example", i), mdm.RoleAdmin)
		if err != nil {
			b.Fatal(err)
		}
		admins = append(admins, a)
	}
	devices := make([]mdm.Device, 500)
	for i := range devices {
		devices[i] = w.device(w.tenant)
	}
	actions := []audit.Action{audit.DeviceView, audit.DeviceCommand, audit.DevicePolicy, audit.DeviceCompliance, audit.DeviceRevokeCerts}
	head, err := svc.Trail.AuditHead(ctx, w.tenant.ID)
	if err != nil {
		b.Fatal(err)
	}
	const events = 100_000
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for done := head.Seq; done < events; {
		err := s.Atomic(ctx, func(tx mdm.Store) error {
			for i := 0; i < 1000 && done < events; i++ {
				// The first administrator acts rarely: one event in a thousand.
				actor := admins[1+done%9]
				if done%1000 == 0 {
					actor = admins[0]
				}
				dev := devices[done%int64(len(devices))]
				r := audit.Record{Actor: audit.Admin.Of(actor.ID), Action: actions[done%int64(len(actions))], Subject: audit.Device.Of(dev.ID),
					Details: audit.Fields(map[string]any{"employee": dev.EmployeeID})}
				if _, err := tx.AppendAudit(ctx, w.tenant.ID, start.Add(time.Duration(done)*time.Minute), r); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	officer := w.session(w.tenant, mdm.RoleDPO)
	emp, err := s.Devices().Employee(ctx, w.tenant.ID, devices[7].EmployeeID)
	if err != nil {
		b.Fatal(err)
	}
	queries := []struct{ name, query string }{
		{"unfiltered", ""},
		{"who-frequent", "who=admin:" + admins[3].ID},
		{"who-rare", "who=admin:" + admins[0].ID},
		{"what-access", "what=access"},
		{"what-one-action", "what=device.certificates_revoke"},
		{"device", "device=" + devices[7].ID},
		{"person", "person=" + url.QueryEscape(emp.Email)},
		{"one-week", "from=2026-02-01&to=2026-02-07"},
		{"one-week-who-rare", "from=2026-02-01&to=2026-02-07&who=admin:" + admins[0].ID},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			w.t = b
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				code, _, body := w.page(http.MethodGet, "/ui/audit?"+q.query, officer, nil)
				took = append(took, time.Since(t0))
				if code != http.StatusOK {
					b.Fatalf("%d:\n%.500s", code, body)
				}
			}
			slices.Sort(took)
			p95 := took[(len(took)*95+99)/100-1]
			b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
		})
	}
}
