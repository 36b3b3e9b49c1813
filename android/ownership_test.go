package android_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// provisionFromLink plays the employee setting their own phone up from its setup wizard
// with the token of the enrolment link meant for it: AMAPI reports the phone
// company-owned.
func (s *site) provisionFromLink(t *testing.T, d mdm.Device) amapi.Device {
	t.Helper()
	ctx := context.Background()
	step, err := s.platform.EnrolmentStep(ctx, s.tenant, d)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(step.URL, android.EnrolURL+"?et=")
	if !ok {
		t.Fatalf("enrolment link %q", step.URL)
	}
	qr := fmt.Sprintf(`{"android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME":"com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver",`+
		`"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE":{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN":%q}}`, token)
	phone, err := s.fake.ProvisionFromQRCode(ctx, qr)
	if err != nil {
		t.Fatal(err)
	}
	return phone
}

// refusalsOf returns the refused ownerships on record for the device.
func (s *site) refusalsOf(t *testing.T, d mdm.Device) []audit.Event {
	t.Helper()
	var out []audit.Event
	for _, e := range s.auditEvents(t, audit.DeviceOwnershipRefused) {
		if e.Subject == audit.Device.Of(d.ID) {
			out = append(out, e)
		}
	}
	return out
}

// sync runs the hourly sync once.
func (s *site) sync(t *testing.T) {
	t.Helper()
	if _, err := s.platform.SyncDevices(context.Background(), s.tenant); err != nil {
		t.Fatal(err)
	}
}

// A phone that keeps claiming another ownership than its invitation's is refused every
// time, but the refusal is on record once per claim: the hourly sync that sees the same
// claim again records nothing new. A phone that reports its own ownership in between and
// then claims the other again is recorded anew.
func TestAnOwnershipClaimIsRecordedOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)

		// An employee's own phone, set up from the setup wizard: still invited, refused once.
		own := s.inviteOwned(t, "max@musterstadt.de", mdm.OwnershipPersonal)
		s.provisionFromLink(t, own)
		if got := s.refusalsOf(t, own); len(got) != 1 || got[0].Field("claimed") != string(mdm.OwnershipCompany) {
			t.Fatalf("the refusal on record: %+v", got)
		}
		s.sync(t)
		s.sync(t)
		if got := s.refusalsOf(t, own); len(got) != 1 {
			t.Errorf("after two syncs the same claim is on record %d times", len(got))
		}
		if got := s.device(t, own.ID); got.State != mdm.DeviceInvited || got.PlatformID != "" {
			t.Errorf("the refused phone became %s under %q", got.State, got.PlatformID)
		}

		// A company-owned phone, set up as it should be, whose reports later claim otherwise.
		company := s.inviteOwned(t, "hof@musterstadt.de", mdm.OwnershipCompany)
		phone := s.provision(t, company)
		s.fake.Unsubscribe(testTopic)
		s.sync(t)
		if got := s.device(t, company.ID); got.State != mdm.DeviceActive || len(s.refusalsOf(t, company)) != 0 {
			t.Fatalf("the company-owned phone is %s with %d refusals", got.State, len(s.refusalsOf(t, company)))
		}
		claim := func(ownership string) {
			t.Helper()
			if err := s.fake.ReportStatus(ctx, phone.Name, func(d *amapi.Device) { d.Ownership = ownership }); err != nil {
				t.Fatal(err)
			}
		}
		claim("PERSONALLY_OWNED")
		s.sync(t)
		s.sync(t)
		got := s.refusalsOf(t, company)
		if len(got) != 1 || got[0].Field("claimed") != string(mdm.OwnershipPersonal) || got[0].Actor != "android" {
			t.Fatalf("after two syncs of one claim: %+v", got)
		}
		if d := s.device(t, company.ID); d.Ownership != mdm.OwnershipCompany || d.State != mdm.DeviceActive {
			t.Errorf("the claim changed the device: %s, %s", d.Ownership, d.State)
		}
		claim("COMPANY_OWNED")
		s.sync(t)
		if n := len(s.refusalsOf(t, company)); n != 1 {
			t.Errorf("reporting its own ownership recorded %d refusals", n)
		}
		claim("PERSONALLY_OWNED")
		s.sync(t)
		s.sync(t)
		if n := len(s.refusalsOf(t, company)); n != 2 {
			t.Errorf("the claim made again after the phone was fine: %d refusals on record, want 2", n)
		}
	})
}
