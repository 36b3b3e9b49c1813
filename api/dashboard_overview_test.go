package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// overviewDevice creates an active iPhone of a new employee of the tenant with the
// verdict, created and last heard from at the times.
func (w *apiWorld) overviewDevice(tn mdm.Tenant, verdict mdm.Compliance, created, contact time.Time) mdm.Device {
	w.t.Helper()
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: w.employee(tn).ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
		Compliance: verdict, OSVersion: "18.2", CreatedAt: created, UpdatedAt: created, LastContactAt: &contact}
	if err := w.store.Devices().CreateDevice(context.Background(), tn.ID, &d); err != nil {
		w.t.Fatal(err)
	}
	return d
}

// failedCommand stores a command to the device that ended in an error at `at`.
func (w *apiWorld) failedCommand(tn mdm.Tenant, d mdm.Device, at time.Time) {
	w.t.Helper()
	storetest.Exec(w.t, w.store, `INSERT INTO commands (id, tenant_id, device_id, kind, payload, state, error, created_at, finished_at)
		VALUES (?, ?, ?, 'lock_work', '{}', 'error', 'refused', ?, ?)`, mdm.NewID(), tn.ID, d.ID, at, at)
}

// Three devices in grace, two non-compliant and two inactive beyond the tenant's rule,
// one command failed this week: the overview says so, in German, with links to the
// lists; the neighbouring tenant's devices count for it alone.
func TestOverviewSaysWhatNeedsAttention(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	now := time.Now().UTC()
	dp, err := w.svc.DataProtection.TenantDataProtection(ctx, w.tenant)
	if err != nil {
		t.Fatal(err)
	}
	dp.InactivityDays = 30
	if _, err := w.svc.DataProtection.SetDataProtection(ctx, "test", w.tenant, dp); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		w.overviewDevice(w.tenant, mdm.ComplianceInGrace, now, now)
	}
	for range 2 {
		w.overviewDevice(w.tenant, mdm.ComplianceNonCompliant, now, now)
	}
	old := now.AddDate(0, 0, -40)
	quiet := w.overviewDevice(w.tenant, mdm.ComplianceCompliant, old, old)
	w.overviewDevice(w.tenant, mdm.ComplianceCompliant, old, now.AddDate(0, 0, -31))
	w.overviewDevice(w.tenant, mdm.ComplianceCompliant, old, now.AddDate(0, 0, -29))
	w.failedCommand(w.tenant, quiet, now.Add(-time.Hour))
	w.failedCommand(w.tenant, quiet, now.AddDate(0, 0, -10))
	for range 5 {
		w.overviewDevice(w.other, mdm.ComplianceInGrace, now, now)
	}
	if err := w.svc.Overview.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}

	status, _, body := w.page(http.MethodGet, "/ui/?lang=de", w.session(w.tenant, mdm.RoleAdmin), nil)
	if status != http.StatusOK {
		t.Fatalf("overview: %d\n%s", status, body)
	}
	for _, want := range []string{
		"3 Geräte verletzen eine Compliance-Regel und sind in der Schonfrist.",
		`<a href="/ui/devices?compliance=in_grace">Geräte in der Schonfrist anzeigen</a>`,
		"2 Geräte erfüllen die Compliance-Regeln nicht",
		`<a href="/ui/devices?compliance=noncompliant">Nicht konforme Geräte anzeigen</a>`,
		"2 Geräte haben sich seit mehr als 30 Tagen nicht gemeldet",
		"Ein Befehl ist in den letzten 7 Tagen fehlgeschlagen.",
		"In den letzten 90 Tagen wurden 8 Geräte eingerichtet.",
		"Heute: 3 konform, 3 in der Schonfrist, 2 nicht konform.",
		`<th scope="row">` + now.Format(time.DateOnly) + `</th><td>5</td>`,
		`<th scope="row">` + old.Format(time.DateOnly) + `</th><td>3</td>`,
		`<th scope="row">iOS 18</th><td>8</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	if strings.Contains(body, "Zurzeit braucht nichts") {
		t.Error("the overview says nothing needs attention")
	}

	_, _, other := w.page(http.MethodGet, "/ui/?lang=de", w.session(w.other, mdm.RoleHelpdesk), nil)
	if !strings.Contains(other, "5 Geräte verletzen eine Compliance-Regel") || strings.Contains(other, "3 Geräte verletzen") ||
		strings.Contains(other, "erfüllen die Compliance-Regeln nicht") || strings.Contains(other, "fehlgeschlagen") {
		t.Errorf("the neighbouring tenant's overview shows another tenant's figures:\n%s", other)
	}
}

// An empty tenant's overview draws empty charts and says that nothing needs attention;
// a data-protection officer, who may not read devices, sees neither figures nor charts
// but the recent events in words.
func TestOverviewOfAnEmptyTenant(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	_, _, body := w.page(http.MethodGet, "/ui/?lang=de", w.session(w.tenant, mdm.RoleHelpdesk), nil)
	if !strings.Contains(body, "Die Versionen sind noch nicht gezählt") {
		t.Error("before the first snapshot the overview does not say that the versions are not counted yet")
	}
	if err := w.svc.Overview.Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	status, _, body := w.page(http.MethodGet, "/ui/?lang=de", w.session(w.tenant, mdm.RoleHelpdesk), nil)
	if status != http.StatusOK {
		t.Fatalf("overview: %d\n%s", status, body)
	}
	for _, want := range []string{"Zurzeit braucht nichts Ihre Aufmerksamkeit.", "In den letzten 90 Tagen wurden 0 Geräte eingerichtet.",
		"Noch kein Gerät ist aktiv.", `<svg role="img" aria-labelledby="compliance-title compliance-desc"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the empty overview lacks %q", want)
		}
	}
	_, _, dpo := w.page(http.MethodGet, "/ui/?lang=de", w.session(w.tenant, mdm.RoleDPO), nil)
	if strings.Contains(dpo, "<svg") || strings.Contains(dpo, "Aufmerksamkeit") {
		t.Errorf("the data-protection officer sees the devices' figures:\n%s", dpo)
	}
	if !strings.Contains(dpo, ">Konto für die Verwaltung angelegt</a>") {
		t.Errorf("the recent events do not name the new account in words:\n%s", dpo)
	}
}

// The compliance chart shows a day's snapshot in its table, and a day without one as
// such.
func TestOverviewShowsTheDailySnapshots(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	before := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)
	storetest.Exec(t, w.store, `INSERT INTO compliance_days (tenant_id, day, compliant, in_grace, noncompliant, unknown, taken_at)
		VALUES (?, ?, 7, 4, 2, 0, ?)`, w.tenant.ID, yesterday, time.Now().UTC())
	_, _, body := w.page(http.MethodGet, "/ui/?lang=en", w.session(w.tenant, mdm.RoleAdmin), nil)
	for _, want := range []string{
		`<th scope="row">` + yesterday + `</th><td>7</td><td>4</td><td>2</td>`,
		`<th scope="row">` + before + `</th><td colspan="3">no figures</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	if n := strings.Count(body, `fill="url(#compliance-grace)"`); n != 1 {
		t.Errorf("%d columns in grace drawn, want yesterday's", n)
	}
}
