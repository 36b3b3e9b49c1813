package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
)

// Situation is one device of the "one truth" tests, with the last contact and the verdict
// every view must give it.
type Situation struct {
	Name       string
	Code       string // the employee's invitation code, for the portal
	EmployeeID string
	DeviceID   string
	Contact    *time.Time
	Verdict    mdm.Compliance // mdm.ComplianceNone: no verdict
	Until      *time.Time
}

// View is what a JSON view (API, CLI, Art. 15 report) says of a device's contact and
// verdict.
type View struct {
	ID              string          `json:"id"`
	Compliance      *mdm.Compliance `json:"compliance"`
	ComplianceUntil *time.Time      `json:"compliance_until"`
	LastContactAt   *time.Time      `json:"last_contact_at"`
}

// Situations sets up, over the 40 days before now, four devices of the tenant whose work
// policy breaks an Android phone with a patch older than 90 days after 7 days' grace: an
// iPhone whose contact is recorded daily (as the Apple storage records its check-ins) with
// the same OS version, an Android phone breaking the rule inside its grace period, one
// past it, and a removed one. The hourly compliance job runs every day.
func Situations(t testing.TB, s *store.Store, tenant mdm.Tenant) []*Situation {
	t.Helper()
	ctx := context.Background()
	start := time.Now().UTC().AddDate(0, 0, -40).Truncate(time.Second)
	today := start
	svc := domain.New(s, PlainSealer{}, mdm.WithCertificates(noCertificates{}), Platforms(), mdm.WithClock(func() time.Time { return today }))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wp, err := svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", tenant, mdm.WorkPolicy{Name: "Verwaltung", Default: true})
	must(err)
	must(svc.Compliance.SetPolicyRules(ctx, "admin:test", tenant, wp.ID, []compliance.RuleSetting{{Rule: compliance.RulePatchAge, Days: 90,
		GraceDays: 7, Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceMark}}}))
	enrol := func(name string, platform mdm.Platform) *Situation {
		t.Helper()
		inv, err := svc.Enrolment.Invite(ctx, "admin:test", tenant, enrolment.InviteRequest{Email: name + "@musterstadt.example",
			Platform: platform, ManagedAppleID: name + "@appleid.musterstadt.example"})
		must(err)
		started, err := svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: inv.Code, Platform: platform})
		must(err)
		id := started.Device.ID
		must(svc.Enrolment.BeginEnrolment(ctx, tenant.ID, id, "enrolment-"+name))
		must(svc.Enrolment.CompleteEnrolment(ctx, tenant.ID, id))
		return &Situation{Name: name, Code: inv.Code, EmployeeID: inv.Employee.ID, DeviceID: id}
	}
	report := func(sit *Situation, st compliance.DeviceStatus) {
		t.Helper()
		must(svc.Compliance.ReportDeviceStatus(ctx, tenant.ID, sit.DeviceID, st))
		at := today
		sit.Contact = &at
	}
	oldPatch := compliance.DeviceStatus{OSVersion: "15", SecurityPatchLevel: "2025-01-05", Compliance: mdm.ComplianceCompliant}

	iphone := enrol("iphone", mdm.PlatformIOS)
	report(iphone, compliance.DeviceStatus{OSVersion: "18.4"})
	iphone.Verdict = mdm.ComplianceUnknown // no rule of the policy concerns an iPhone
	inGrace, pastGrace, removed := enrol("in-grace", mdm.PlatformAndroid), enrol("past-grace", mdm.PlatformAndroid),
		enrol("removed", mdm.PlatformAndroid)
	for n := 1; n <= 40; n++ {
		today = start.AddDate(0, 0, n)
		// What the Apple storage does on the iPhone's first check-in of the day, in the
		// transaction that writes its last-seen time.
		must(s.Tables().Atomic(ctx, func(tx *store.Tx) error {
			return svc.Compliance.RecordContact(ctx, tx, tenant.ID, iphone.DeviceID, today)
		}))
		at := today
		iphone.Contact = &at
		switch n {
		case 20:
			report(pastGrace, oldPatch)
			pastGrace.Verdict = mdm.ComplianceNonCompliant
		case 38:
			report(inGrace, oldPatch)
			until := start.AddDate(0, 0, 45)
			inGrace.Verdict, inGrace.Until = mdm.ComplianceInGrace, &until
		case 39:
			report(removed, oldPatch)
			must(svc.RemoveDevice(ctx, "admin:test", tenant, removed.DeviceID, "left the town hall"))
			must(svc.ConfirmRemoval(ctx, "android:test", tenant.ID, removed.DeviceID, "the work profile is gone"))
			removed.Verdict = mdm.ComplianceNone
		}
		_, err := svc.Compliance.ApplyRules(ctx) // the hourly job
		must(err)
	}
	return []*Situation{iphone, inGrace, pastGrace, removed}
}

// Check compares the view of the situation's device (nil: not listed) with what it must
// say; where names the view in the error.
func (sit *Situation) Check(where string, views []View) error {
	var v *View
	for i := range views {
		if views[i].ID == sit.DeviceID {
			v = &views[i]
		}
	}
	switch {
	case v == nil:
		return fmt.Errorf("%s: %s does not list the device", sit.Name, where)
	case !sameTime(v.LastContactAt, sit.Contact):
		return fmt.Errorf("%s: %s gives last contact %v, want %v", sit.Name, where, v.LastContactAt, sit.Contact)
	case sit.Verdict == mdm.ComplianceNone && v.Compliance != nil:
		return fmt.Errorf("%s: %s gives the removed device the verdict %q", sit.Name, where, *v.Compliance)
	case sit.Verdict != mdm.ComplianceNone && (v.Compliance == nil || *v.Compliance != sit.Verdict):
		return fmt.Errorf("%s: %s gives the verdict %v, want %q", sit.Name, where, v.Compliance, sit.Verdict)
	case !sameTime(v.ComplianceUntil, sit.Until):
		return fmt.Errorf("%s: %s gives grace until %v, want %v", sit.Name, where, v.ComplianceUntil, sit.Until)
	}
	return nil
}

// noCertificates stands in for a CA that issued the devices no certificate.
type noCertificates struct{}

func (noCertificates) RevokeEnrolment(context.Context, string, string, string) (int, error) {
	return 0, nil
}

func sameTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}
