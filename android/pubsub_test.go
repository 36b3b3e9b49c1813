package android_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// post sends a push body to the platform's endpoint under pushURL and returns the status.
func (s *site) post(t *testing.T, pushURL string, body []byte) int {
	t.Helper()
	resp, err := s.push.Client().Post(pushURL, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func envelope(t *testing.T, id, kind string, resource any) []byte {
	t.Helper()
	body, err := amapifake.PushEnvelope(id, kind, resource)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// The push endpoint answers who may not push, and what is not a push, before anything is
// stored.
func TestPushEndpointRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		push := s.localPushURL(t, s.bind(t).PushURL)
		u, _ := url.Parse(push)
		valid := envelope(t, "1", "STATUS_REPORT", amapi.Device{Name: "enterprises/LC1/devices/3A"})
		cases := []struct {
			name   string
			url    string
			body   string
			status int
		}{
			{"no token", s.push.URL + u.Path, string(valid), http.StatusUnauthorized},
			{"wrong token", s.push.URL + u.Path + "?token=not-the-secret", string(valid), http.StatusForbidden},
			{"not JSON", push, "hello", http.StatusBadRequest},
			{"no message", push, `{"subscription":"x"}`, http.StatusBadRequest},
			{"no message ID", push, `{"message":{"data":"e30=","attributes":{"notificationType":"STATUS_REPORT"}}}`, http.StatusBadRequest},
			{"data not base64", push, `{"message":{"messageId":"2","data":"%%%","attributes":{"notificationType":"STATUS_REPORT"}}}`, http.StatusBadRequest},
			{"data not a device", push, `{"message":{"messageId":"3","data":"e30=","attributes":{"notificationType":"ENROLLMENT"}}}`, http.StatusBadRequest},
			{"test message", push, `{"message":{"messageId":"4","data":"","attributes":{"test":"true"}}}`, http.StatusNoContent},
		}
		for _, c := range cases {
			if got := s.post(t, c.url, []byte(c.body)); got != c.status {
				t.Errorf("%s: status %d, want %d", c.name, got, c.status)
			}
		}
	})
}

// The push token is checked before the body is read: a caller without the right token
// learns nothing about what a valid body looks like, and a malformed body from the right
// caller is refused without changing anything.
func TestPushAuthenticatesBeforeParsing(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		push := s.localPushURL(t, s.bind(t).PushURL)
		u, _ := url.Parse(push)
		d, _ := s.active(t, "max@musterstadt.de")
		events, messages := s.auditCount(t), countRows(t, s, "android_messages")
		for _, body := range []string{"hello", `{"message":`, strings.Repeat("x", 300<<10)} {
			if got := s.post(t, s.push.URL+u.Path, []byte(body)); got != http.StatusUnauthorized {
				t.Errorf("no token, malformed body of %d bytes: %d, want 401", len(body), got)
			}
			if got := s.post(t, s.push.URL+u.Path+"?token=not-the-secret", []byte(body)); got != http.StatusForbidden {
				t.Errorf("wrong token, malformed body of %d bytes: %d, want 403", len(body), got)
			}
			if got := s.post(t, push, []byte(body)); got != http.StatusBadRequest {
				t.Errorf("right token, malformed body of %d bytes: %d, want 400", len(body), got)
			}
		}
		if s.auditCount(t) != events || countRows(t, s, "android_messages") != messages {
			t.Error("a refused push changed something")
		}
		if got := s.device(t, d.ID); got.UpdatedAt != d.UpdatedAt {
			t.Error("a refused push changed the device")
		}
	})
}

// Pub/Sub delivers at least once: a message that arrives twice changes the device once,
// and a report about a device the tenant does not have is acknowledged and changes
// nothing.
func TestPushDuplicatesAndUnknownDevices(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		push := s.localPushURL(t, s.bind(t).PushURL)
		d := s.invite(t, "max@musterstadt.de")
		phone := s.enrol(t, d)

		phone.PolicyCompliant = false
		report := envelope(t, "dup-1", "STATUS_REPORT", phone)
		if got := s.post(t, push, report); got != http.StatusNoContent {
			t.Fatalf("first delivery: %d", got)
		}
		phone.PolicyCompliant = true
		again := envelope(t, "dup-1", "STATUS_REPORT", phone) // same ID, as a redelivery has
		if got := s.post(t, push, again); got != http.StatusNoContent {
			t.Fatalf("second delivery: %d", got)
		}
		if c := s.device(t, d.ID).Compliance; c != mdm.ComplianceNonCompliant {
			t.Errorf("the redelivered message was processed again: compliance %s", c)
		}

		stranger := envelope(t, "u-1", "STATUS_REPORT", amapi.Device{Name: "enterprises/LC9/devices/3NOBODY", PolicyCompliant: false})
		if got := s.post(t, push, stranger); got != http.StatusNoContent {
			t.Errorf("unknown device: %d", got)
		}
		unknownToken := envelope(t, "u-2", "ENROLLMENT", amapi.Device{Name: "enterprises/LC9/devices/3OTHER", EnrollmentTokenData: "no-such-device"})
		if got := s.post(t, push, unknownToken); got != http.StatusNoContent {
			t.Errorf("enrolment of an unknown device: %d", got)
		}
		devices, err := s.svc.Devices(ctx, s.tenant, mdm.DeviceFilter{})
		if err != nil || len(devices) != 1 {
			t.Errorf("devices after reports about strangers: %d, %v", len(devices), err)
		}
	})
}

// A second tenant's push URL cannot report about the first tenant's devices: the secret
// names the tenant, and the device is looked up in it. Nor can the second tenant bind the
// first one's enterprise.
func TestPushStaysInItsTenant(t *testing.T) {
	s := newSite(t, "sqlite")
	taken := s.bind(t).Enterprise
	d := s.invite(t, "max@musterstadt.de")
	phone := s.enrol(t, d)

	other := *s
	other.tenant = storetest.Tenant(t, s.svc, "nachbarort")
	otherPush := other.localPushURL(t, other.bind(t).PushURL)
	phone.PolicyCompliant = false
	if got := s.post(t, otherPush, envelope(t, "x-1", "STATUS_REPORT", phone)); got != http.StatusNoContent {
		t.Fatalf("push: %d", got)
	}
	if c := s.device(t, d.ID).Compliance; c != mdm.ComplianceCompliant {
		t.Errorf("another tenant's push changed the device: %s", c)
	}

	if _, err := other.platform.Bind(context.Background(), "admin:test", other.tenant, taken, testTopic); !errors.Is(err, mdm.ErrConflict) {
		t.Errorf("binding another tenant's enterprise: %v", err)
	}
}

// Status reports that arrive together are written together, and each still counts once:
// twenty phones report at the same time, every report delivered twice, and each device ends
// with its report and one audit event for its change of compliance.
func TestConcurrentStatusReports(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		push := s.localPushURL(t, s.bind(t).PushURL)
		type report struct {
			id   string
			body []byte
		}
		var reports []report
		for i := range 20 {
			d, phone := s.active(t, fmt.Sprintf("e%d@musterstadt.de", i))
			phone.PolicyCompliant = false
			phone.SoftwareInfo.SecurityPatchLevel = fmt.Sprintf("2026-11-%02d", i+1)
			reports = append(reports, report{d.ID, envelope(t, "c-"+d.ID, "STATUS_REPORT", phone)})
		}
		before := s.auditCount(t)
		var wg sync.WaitGroup
		for _, r := range append(reports, reports...) {
			wg.Go(func() {
				if got := s.post(t, push, r.body); got != http.StatusNoContent {
					t.Errorf("push: %d", got)
				}
			})
		}
		wg.Wait()
		for i, r := range reports {
			d := s.device(t, r.id)
			if d.Compliance != mdm.ComplianceNonCompliant || d.SecurityPatchLevel != fmt.Sprintf("2026-11-%02d", i+1) {
				t.Errorf("device %d: %s %s", i, d.Compliance, d.SecurityPatchLevel)
			}
		}
		if got := s.auditCount(t) - before; got != len(reports) {
			t.Errorf("%d audit events for %d changes of compliance", got, len(reports))
		}
	})
}
