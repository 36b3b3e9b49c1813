package android_test

import (
	"context"
	"net/url"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// A batch of status reports in which an employee's own phone claims to be company-owned:
// that report is dropped and its refusal recorded once, in the batch's transaction, even
// though the batch repeats the claim and a later batch makes it again, while the other
// report of the batch is stored. Once the phone reports its own ownership, a new claim
// is recorded anew, as on the path of a single report.
func TestABatchRecordsARefusedOwnershipOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		push, err := url.Parse(s.bind(t).PushURL)
		if err != nil {
			t.Fatal(err)
		}
		secret := push.Query().Get("token")
		own, ownPhone := s.active(t, "max@musterstadt.de")
		other, otherPhone := s.active(t, "erika@musterstadt.de")
		s.fake.Unsubscribe(testTopic) // from now on, the test delivers the reports itself
		write := func(bodies ...[]byte) []error {
			t.Helper()
			errs, err := s.platform.WriteReports(ctx, secret, bodies...)
			if err != nil {
				t.Fatal(err)
			}
			return errs
		}
		claiming := func(id, ownership string) []byte {
			phone := ownPhone
			phone.Ownership = ownership
			phone.SoftwareInfo = &amapi.SoftwareInfo{AndroidVersion: "15", SecurityPatchLevel: "2026-11-09"}
			return envelope(t, id, "STATUS_REPORT", phone)
		}

		otherPhone.PolicyCompliant = false
		otherPhone.SoftwareInfo = &amapi.SoftwareInfo{AndroidVersion: "15", SecurityPatchLevel: "2026-11-05"}
		errs := write(claiming("b-1", "COMPANY_OWNED"), envelope(t, "b-2", "STATUS_REPORT", otherPhone), claiming("b-3", "COMPANY_OWNED"))
		if errs[0] == nil || errs[1] != nil || errs[2] == nil {
			t.Fatalf("the batch's reports: %v", errs)
		}
		got := s.refusalsOf(t, own)
		if len(got) != 1 || got[0].Actor != "android" || got[0].Field("claimed") != string(mdm.OwnershipCompany) ||
			got[0].Field("ownership") != string(mdm.OwnershipPersonal) {
			t.Fatalf("the refusals on record after the batch: %+v", got)
		}
		if d := s.device(t, other.ID); d.Compliance != mdm.ComplianceNonCompliant || d.SecurityPatchLevel != "2026-11-05" {
			t.Errorf("the other report of the batch was not stored: %s, %s", d.Compliance, d.SecurityPatchLevel)
		}
		if d := s.device(t, own.ID); d.Ownership != mdm.OwnershipPersonal || d.State != mdm.DeviceActive || d.SecurityPatchLevel == "2026-11-09" {
			t.Errorf("the refused report changed the device: %s, %s, %s", d.Ownership, d.State, d.SecurityPatchLevel)
		}

		if errs := write(claiming("b-4", "COMPANY_OWNED")); errs[0] == nil {
			t.Error("the claim of a later batch was taken")
		}
		if n := len(s.refusalsOf(t, own)); n != 1 {
			t.Errorf("the same claim in a later batch: %d refusals on record, want 1", n)
		}

		if errs := write(claiming("b-5", "PERSONALLY_OWNED")); errs[0] != nil {
			t.Fatalf("the phone's report of its own ownership: %v", errs[0])
		}
		write(claiming("b-6", "COMPANY_OWNED"), claiming("b-7", "COMPANY_OWNED"))
		if n := len(s.refusalsOf(t, own)); n != 2 {
			t.Errorf("the claim made again after the phone was fine: %d refusals on record, want 2", n)
		}
	})
}
