package dashboard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// overviewPage renders the overview for a viewer of the tenant with the role, with the
// expiries given to the dashboard, and returns the status and the page.
func overviewPage(t *testing.T, svc *domain.Services, tn mdm.Tenant, role mdm.Role,
	expiries func(context.Context, mdm.Tenant) ([]metrics.Expiry, error)) (int, string) {
	t.Helper()
	d, err := dashboard.New(dashboard.Config{Service: svc, Expiries: expiries})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range d.Routes() {
		if rt.Method != http.MethodGet || rt.Path != dashboard.Prefix+"/" {
			continue
		}
		req := httptest.NewRequest(http.MethodGet, "/ui/?lang=de", nil)
		v := dashboard.Viewer{Principal: mdm.Principal{Actor: "admin:test", TenantID: tn.ID, Role: role}, Tenant: tn}
		rec := httptest.NewRecorder()
		rt.Handler(rec, req.WithContext(dashboard.WithViewer(req.Context(), v)))
		return rec.Code, rec.Body.String()
	}
	t.Fatal("no overview route")
	return 0, ""
}

// The certificates and tokens that end within 30 days, or have ended, need attention,
// each with its date and where it is renewed; those that end later do not. Only
// administrators, who can renew them, are told.
func TestOverviewWarnsOfExpiringCertificatesAndTokens(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	svc := domain.New(s, storetest.PlainSealer{}, mdm.WithClock(func() time.Time { return now }))
	tn := storetest.Tenant(t, svc, "musterstadt")
	var asked []string
	expiries := func(_ context.Context, t mdm.Tenant) ([]metrics.Expiry, error) {
		asked = append(asked, t.ID)
		return []metrics.Expiry{
			{Kind: metrics.ExpiryAPNs, Tenant: t.Name, NotAfter: now.AddDate(0, 0, 12)},
			{Kind: metrics.ExpiryAppsAndBooks, Tenant: t.Name, NotAfter: now.AddDate(0, 0, -1)},
			{Kind: metrics.ExpiryCARoot, NotAfter: now.AddDate(10, 0, 0)},
			{Kind: metrics.ExpiryCAIntermediate, NotAfter: now.AddDate(0, 0, 29)},
			{Kind: metrics.ExpiryServerTLS, NotAfter: now.AddDate(0, 0, 31)},
		}, nil
	}
	status, body := overviewPage(t, svc, tn, mdm.RoleAdmin, expiries)
	if status != http.StatusOK {
		t.Fatalf("overview: %d\n%s", status, body)
	}
	for _, want := range []string{
		`Das Apple-Push-Zertifikat läuft am 2026-12-18 09:00 UTC ab. Danach erreichen Befehle keine iPhones mehr. <a href="/ui/settings#apple">Push-Zertifikat erneuern</a>`,
		`Das Apps-und-Bücher-Token ist am 2026-12-05 09:00 UTC abgelaufen. App-Lizenzen werden nicht mehr zugewiesen. <a href="/ui/apple/vpp">Token erneuern</a>`,
		"Ein Zertifikat der eingebauten Zertifizierungsstelle läuft am 2027-01-04 09:00 UTC ab.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	if strings.Contains(body, "Serverzertifikat") {
		t.Error("the server certificate, which ends in 31 days, is said to need attention")
	}
	if len(asked) != 1 || asked[0] != tn.ID {
		t.Errorf("expiries asked for tenants %v, want %s's", asked, tn.ID)
	}

	_, helpdesk := overviewPage(t, svc, tn, mdm.RoleHelpdesk, expiries)
	if strings.Contains(helpdesk, "Push-Zertifikat") || len(asked) != 1 {
		t.Error("the helpdesk, who cannot renew them, is told of the expiries")
	}
}

// The server token from Apple Business Manager needs attention from 30 days before it
// ends, with its date and the page where it is renewed; one that ends later does not.
func TestOverviewWarnsOfTheServerTokenFromAppleBusinessManager(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	svc := domain.New(s, storetest.PlainSealer{}, mdm.WithClock(func() time.Time { return now }))
	tn := storetest.Tenant(t, svc, "musterstadt")
	for _, c := range []struct {
		name string
		ends time.Time
		want string // empty: nothing about the token
	}{
		{"in 10 days", now.AddDate(0, 0, 10), `Das Server-Token aus Apple Business Manager läuft am 2026-12-16 09:00 UTC ab.`},
		{"in 29 days", now.AddDate(0, 0, 29), `Das Server-Token aus Apple Business Manager läuft am 2027-01-04 09:00 UTC ab.`},
		{"2 days ago", now.AddDate(0, 0, -2), `Das Server-Token aus Apple Business Manager ist am 2026-12-04 09:00 UTC abgelaufen.`},
		{"in 31 days", now.AddDate(0, 0, 31), ""},
		{"in 200 days", now.AddDate(0, 0, 200), ""},
	} {
		status, body := overviewPage(t, svc, tn, mdm.RoleAdmin, func(_ context.Context, t mdm.Tenant) ([]metrics.Expiry, error) {
			return []metrics.Expiry{{Kind: metrics.ExpiryABMServerToken, Tenant: t.Name, NotAfter: c.ends}}, nil
		})
		if status != http.StatusOK {
			t.Fatalf("%s: overview %d\n%s", c.name, status, body)
		}
		link := `<a href="/ui/apple/abm">Server-Token erneuern</a>`
		switch {
		case c.want == "" && strings.Contains(body, "Server-Token aus Apple Business Manager"):
			t.Errorf("%s: the token needs attention:\n%s", c.name, body)
		case c.want != "" && (!strings.Contains(body, c.want) || !strings.Contains(body, link)):
			t.Errorf("%s: the overview lacks %q with %s:\n%s", c.name, c.want, link, body)
		}
	}
}

// When the expiries cannot be read the overview fails as a whole, as any other page whose
// data is missing, rather than claim that nothing needs attention.
func TestOverviewDoesNotHideAFailedReading(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	svc := domain.New(s, storetest.PlainSealer{})
	tn := storetest.Tenant(t, svc, "musterstadt")
	status, body := overviewPage(t, svc, tn, mdm.RoleAdmin, func(context.Context, mdm.Tenant) ([]metrics.Expiry, error) {
		return nil, errors.New("the push certificate cannot be read")
	})
	if status != http.StatusInternalServerError || strings.Contains(body, "braucht nichts") {
		t.Errorf("overview with a failed reading: %d\n%s", status, body)
	}
}

// Every action of the audit catalogue has a name in words for the recent events, in both
// languages.
func TestEveryAuditActionHasALabel(t *testing.T) {
	c, err := dashboard.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		l := c.Localizer(lang)
		for _, a := range audit.Actions() {
			if id := "overview.event." + string(a); l.T(id) == id {
				t.Errorf("%s: no label for the audit action %s", lang, a)
			}
		}
	}
}
