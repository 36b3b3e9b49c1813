package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/portal"
)

// situation is one device of the one-truth test, with what every view must say of it.
type situation struct {
	name     string
	code     string // the employee's invitation code, for the portal
	employee string
	device   string
	contact  *time.Time
	verdict  mdm.Compliance // ComplianceNone for no verdict
	until    *time.Time
}

// One truth: for an iPhone that checked in daily for 40 days with the same OS version, an
// Android phone breaking a rule inside its grace period, one past it, and a removed
// device, the device list of the JSON API, the overview counts, the dashboard's list and
// device page, the employee's status page and the Art. 15 report give the same last
// contact and the same verdict.
func TestEveryViewTellsTheSameContactAndVerdict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newAPIWorld(t, s)
		p, err := portal.New(portal.Config{Service: w.svc})
		if err != nil {
			t.Fatal(err)
		}
		w.srv.MountPortal(p.Handler())
		start := time.Now().UTC().AddDate(0, 0, -40).Truncate(time.Second)
		today := start
		day := func(n int) time.Time { return start.AddDate(0, 0, n) }
		past := mdm.NewService(s, storetest.PlainSealer{}, mdm.WithCertificates(fakeCertificates{}),
			mdm.WithClock(func() time.Time { return today }))
		wp, err := past.CreateWorkPolicy(ctx, "admin:test", w.tenant, mdm.WorkPolicy{Name: "Verwaltung", Default: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := past.SetPolicyRules(ctx, "admin:test", w.tenant, wp.ID, []mdm.RuleSetting{{Rule: mdm.RulePatchAge, Days: 90,
			GraceDays: 7, Consequences: []mdm.Consequence{mdm.ConsequenceNotify, mdm.ConsequenceMark}}}); err != nil {
			t.Fatal(err)
		}
		enrol := func(name string, platform mdm.Platform) *situation {
			t.Helper()
			inv, err := past.Invite(ctx, "admin:test", w.tenant, mdm.InviteRequest{Email: name + "@musterstadt.example",
				Platform: platform, ManagedAppleID: name + "@appleid.musterstadt.example"})
			if err != nil {
				t.Fatal(err)
			}
			started, err := past.StartEnrolment(ctx, mdm.EnrolmentRequest{Code: inv.Code, Platform: platform})
			if err != nil {
				t.Fatal(err)
			}
			id := started.Device.ID
			if err := past.BeginEnrolment(ctx, w.tenant.ID, id, "enrolment-"+name); err != nil {
				t.Fatal(err)
			}
			if err := past.CompleteEnrolment(ctx, w.tenant.ID, id); err != nil {
				t.Fatal(err)
			}
			return &situation{name: name, code: inv.Code, employee: inv.Employee.ID, device: id}
		}
		report := func(sit *situation, st mdm.DeviceStatus) {
			t.Helper()
			if err := past.ReportDeviceStatus(ctx, w.tenant.ID, sit.device, st); err != nil {
				t.Fatal(err)
			}
			at := today
			sit.contact = &at
		}
		oldPatch := mdm.DeviceStatus{OSVersion: "15", SecurityPatchLevel: "2025-01-05", Compliance: mdm.ComplianceCompliant}

		iphone := enrol("iphone", mdm.PlatformIOS)
		report(iphone, mdm.DeviceStatus{OSVersion: "18.4"})
		iphone.verdict = mdm.ComplianceUnknown // no rule of the policy concerns an iPhone
		inGrace, pastGrace, removed := enrol("in-grace", mdm.PlatformAndroid), enrol("past-grace", mdm.PlatformAndroid),
			enrol("removed", mdm.PlatformAndroid)
		for n := 1; n <= 40; n++ {
			today = day(n)
			// What the Apple storage does on the iPhone's first check-in of the day, in the
			// transaction that writes its last-seen time (see ios' TestAnIPhoneCheckingIn…).
			if err := s.Tables().Atomic(ctx, func(tx *store.Tx) error {
				return mdm.RecordContact(ctx, tx, w.tenant.ID, iphone.device, today)
			}); err != nil {
				t.Fatal(err)
			}
			at := today
			iphone.contact = &at
			switch n {
			case 20:
				report(pastGrace, oldPatch)
				pastGrace.verdict = mdm.ComplianceNonCompliant
			case 38:
				report(inGrace, oldPatch)
				inGrace.verdict, inGrace.until = mdm.ComplianceInGrace, ptr(day(45))
			case 39:
				report(removed, oldPatch)
				if err := past.RemoveDevice(ctx, "admin:test", w.tenant, removed.device, "left the town hall"); err != nil {
					t.Fatal(err)
				}
				if err := past.ConfirmRemoval(ctx, "android:test", w.tenant.ID, removed.device, "the work profile is gone"); err != nil {
					t.Fatal(err)
				}
				removed.verdict = mdm.ComplianceNone
			}
			if _, err := past.ApplyComplianceRules(ctx); err != nil { // the hourly job
				t.Fatal(err)
			}
		}
		situations := []*situation{iphone, inGrace, pastGrace, removed}

		t.Run("device list of the JSON API", func(t *testing.T) {
			var list struct{ Devices []deviceView }
			w.getJSON(t, "/api/v1/devices", w.tokens[mdm.RoleAdmin], &list)
			for _, sit := range situations {
				sit.check(t, "API list", findView(list.Devices, sit.device))
			}
		})
		t.Run("overview counts", func(t *testing.T) {
			var overview struct{ Counts []mdm.DeviceCount }
			w.getJSON(t, "/api/v1/overview", w.tokens[mdm.RoleAdmin], &overview)
			want := map[mdm.DeviceCount]bool{}
			for _, sit := range situations {
				d, err := s.Device(ctx, w.tenant.ID, sit.device)
				if err != nil {
					t.Fatal(err)
				}
				want[mdm.DeviceCount{Platform: d.Platform, State: d.State, Compliance: sit.verdict, Count: 1}] = true
			}
			if len(overview.Counts) != len(want) {
				t.Errorf("overview counts %+v, want %v", overview.Counts, want)
			}
			for _, c := range overview.Counts {
				if !want[c] {
					t.Errorf("overview counts %+v, which no device is", c)
				}
			}
		})
		admin := w.session(w.tenant, mdm.RoleAdmin)
		t.Run("dashboard list and device page", func(t *testing.T) {
			_, _, list := w.page(http.MethodGet, "/ui/devices", admin, nil)
			for _, sit := range situations {
				_, _, page := w.page(http.MethodGet, "/ui/devices/"+sit.device, admin, nil)
				for _, want := range sit.dashboardTexts() {
					if !strings.Contains(page, want) {
						t.Errorf("%s: the device page does not say %q", sit.name, want)
					}
					if !strings.Contains(list, want) {
						t.Errorf("%s: the device list does not say %q", sit.name, want)
					}
				}
			}
			if strings.Contains(list, "<td>Konform</td>") {
				t.Error("the device list calls a device compliant; none is")
			}
		})
		t.Run("employee's status page", func(t *testing.T) {
			for _, sit := range situations {
				status, _, page := w.page(http.MethodGet, "/e/"+sit.code+"?lang=de", session{}, nil)
				if sit.verdict == mdm.ComplianceNone && status == http.StatusNotFound {
					continue // the portal of an employee whose only device is removed is closed
				}
				if status != http.StatusOK {
					t.Fatalf("%s: status page %d", sit.name, status)
				}
				for _, want := range sit.portalTexts() {
					if !strings.Contains(page, want) {
						t.Errorf("%s: the status page does not say %q", sit.name, want)
					}
				}
				if sit.verdict == mdm.ComplianceNone && strings.Contains(page, `class="verdict"`) {
					t.Errorf("%s: the status page gives the removed device a verdict", sit.name)
				}
			}
		})
		t.Run("Art. 15 report", func(t *testing.T) {
			for _, sit := range situations {
				var report struct{ Devices []deviceView }
				w.getJSON(t, "/api/v1/employees/"+sit.employee+"/report", w.tokens[mdm.RoleDPO], &report)
				sit.check(t, "Art. 15 report", findView(report.Devices, sit.device))
			}
		})
	})
}

// deviceView is what the JSON views say of a device's contact and verdict.
type deviceView struct {
	ID              string
	Compliance      *mdm.Compliance `json:"compliance"`
	ComplianceUntil *time.Time      `json:"compliance_until"`
	LastContactAt   *time.Time      `json:"last_contact_at"`
}

func findView(views []deviceView, id string) *deviceView {
	for i := range views {
		if views[i].ID == id {
			return &views[i]
		}
	}
	return nil
}

// check compares a JSON view of the device with the situation.
func (sit *situation) check(t *testing.T, where string, v *deviceView) {
	t.Helper()
	switch {
	case v == nil:
		t.Errorf("%s: %s does not list the device", sit.name, where)
	case !sameTime(v.LastContactAt, sit.contact):
		t.Errorf("%s: %s gives last contact %v, want %v", sit.name, where, v.LastContactAt, sit.contact)
	case sit.verdict == mdm.ComplianceNone && v.Compliance != nil:
		t.Errorf("%s: %s gives the removed device the verdict %q", sit.name, where, *v.Compliance)
	case sit.verdict != mdm.ComplianceNone && (v.Compliance == nil || *v.Compliance != sit.verdict):
		t.Errorf("%s: %s gives the verdict %v, want %q", sit.name, where, v.Compliance, sit.verdict)
	case !sameTime(v.ComplianceUntil, sit.until):
		t.Errorf("%s: %s gives grace until %v, want %v", sit.name, where, v.ComplianceUntil, sit.until)
	}
}

// dashboardTexts are what the dashboard (in German) must show of the device.
func (sit *situation) dashboardTexts() []string {
	verdict := map[mdm.Compliance]string{mdm.ComplianceUnknown: "Unbekannt", mdm.ComplianceInGrace: "In Schonfrist",
		mdm.ComplianceNonCompliant: "Nicht konform", mdm.ComplianceNone: "—"}[sit.verdict]
	out := []string{verdict}
	if sit.until != nil {
		out = append(out, "Folgen ab "+sit.until.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if sit.contact != nil {
		out = append(out, sit.contact.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return out
}

// portalTexts are what the employee's status page (in German) must show of the device.
func (sit *situation) portalTexts() []string {
	var out []string
	switch sit.verdict {
	case mdm.ComplianceUnknown:
		out = append(out, "noch nicht bekannt")
	case mdm.ComplianceInGrace:
		out = append(out, "in Schonfrist: bitte bis "+sit.until.UTC().Format("2006-01-02")+" beheben")
	case mdm.ComplianceNonCompliant:
		out = append(out, "nicht erfüllt")
	}
	if sit.contact != nil && sit.verdict != mdm.ComplianceNone {
		out = append(out, sit.contact.UTC().Format("2006-01-02 15:04")+" UTC")
	}
	return out
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

func ptr[T any](v T) *T { return &v }

// getJSON reads a JSON API resource with the token into out.
func (w *apiWorld) getJSON(t *testing.T, path, token string, out any) {
	t.Helper()
	status, body := w.call(http.MethodGet, path, token, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
