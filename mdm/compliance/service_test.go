package compliance_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// complianceWorld is storetest.Populate's tenant with its device made an Android work profile that
// reports an old patch level, under a patch-age rule with every consequence but removal.
func complianceWorld(t *testing.T, s *store.Store, platform mdm.Platform, c *storetest.Clock, ca *fakeCA) (*domain.Services, storetest.World) {
	t.Helper()
	svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now), mdm.WithCertificates(ca), mdm.WithNoticeMail())
	w := storetest.Populate(t, s, svc, "musterstadt", storetest.WorldTime)
	storetest.Exec(t, s, "UPDATE devices SET platform = ? WHERE id = ?", platform, w.Device.ID)
	w.Device.Platform = platform
	return svc, w
}

func setRules(t *testing.T, svc *domain.Services, w storetest.World, rules ...compliance.RuleSetting) {
	t.Helper()
	if err := svc.Compliance.SetPolicyRules(context.Background(), "admin:it", w.Tenant, w.Policy.ID, rules); err != nil {
		t.Fatal(err)
	}
}

func report(t *testing.T, svc *domain.Services, w storetest.World, st compliance.DeviceStatus, facts compliance.Facts) {
	t.Helper()
	ctx := context.Background()
	if err := svc.Compliance.ReportDeviceStatus(ctx, w.Tenant.ID, w.Device.ID, st); err != nil {
		t.Fatal(err)
	}
	if err := svc.Compliance.CheckDevice(ctx, w.Tenant.ID, w.Device.ID, facts); err != nil {
		t.Fatal(err)
	}
}

func access(t *testing.T, svc *domain.Services, w storetest.World) compliance.Access {
	t.Helper()
	a, err := svc.Compliance.AccessOf(context.Background(), w.Tenant.ID, w.Device.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func commandKinds(t *testing.T, s *store.Store, w storetest.World) []mdm.CommandKind {
	t.Helper()
	cs, err := s.Commands().Commands(context.Background(), w.Tenant.ID, w.Device.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []mdm.CommandKind
	for _, c := range cs {
		out = append(out, c.Kind)
	}
	return out
}

// An Android work profile reports an old patch: the employee is told at once; after the
// grace period the device is marked, its certificate revoked and its work profile
// locked, once, however often the check runs; when it reports a new patch, it complies,
// may fetch a certificate again, and the history holds the two changes.
func TestAnOldPatchLeadsToConsequencesOnceAndEndsWithTheUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, ca := &storetest.Clock{T: testTime}, &fakeCA{}
		svc, w := complianceWorld(t, s, mdm.PlatformAndroid, c, ca)
		setRules(t, svc, w, compliance.RuleSetting{Rule: compliance.RulePatchAge, Days: 90, GraceDays: 7,
			Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceMark, compliance.ConsequenceRevoke, compliance.ConsequenceLock}})
		report(t, svc, w, compliance.DeviceStatus{OSVersion: "14", SecurityPatchLevel: "2026-05-05"}, compliance.Facts{})
		report(t, svc, w, compliance.DeviceStatus{OSVersion: "14", SecurityPatchLevel: "2026-05-05"}, compliance.Facts{})

		if n := storetest.Count(t, s, "river_job", "kind = ?", compliance.MailJob{}.Kind()); n != 1 {
			t.Fatalf("%d notice jobs, want 1", n)
		}
		if a := access(t, svc, w); !a.Compliant {
			t.Fatalf("within the grace period the device keeps its access: %+v", a)
		}
		if r, _ := svc.Compliance.ApplyRules(ctx); r.Acted != 0 {
			t.Fatalf("acted within the grace period: %+v", r)
		}

		c.Advance(8 * 24 * time.Hour)
		for range 3 {
			if _, err := svc.Compliance.ApplyRules(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if len(ca.revoked) != 1 {
			t.Fatalf("certificates revoked %d times, want once", len(ca.revoked))
		}
		if kinds := commandKinds(t, s, w); !slices.Equal(kinds, []mdm.CommandKind{mdm.CommandApplyPolicy, mdm.CommandLockWork}) {
			t.Fatalf("commands %v, want the work profile locked once", kinds)
		}
		if a := access(t, svc, w); a.Compliant || !slices.Equal(a.Rules, []compliance.Rule{compliance.RulePatchAge}) {
			t.Fatalf("after the grace period: %+v", a)
		}
		if withheld, _ := svc.Compliance.CertificatesWithheld(ctx, w.Tenant.ID, w.Device.ID); !withheld {
			t.Fatal("a device out of line may fetch a new certificate")
		}
		if n := len(events(t, s, w.Tenant.ID, "device.compliance_action")); n != 1 {
			t.Fatalf("%d consequence events, want 1", n)
		}

		report(t, svc, w, compliance.DeviceStatus{OSVersion: "14", SecurityPatchLevel: "2026-11-01"}, compliance.Facts{})
		if a := access(t, svc, w); !a.Compliant {
			t.Fatalf("after the update: %+v", a)
		}
		if withheld, _ := svc.Compliance.CertificatesWithheld(ctx, w.Tenant.ID, w.Device.ID); withheld {
			t.Fatal("a compliant device gets no new certificate")
		}
		h, err := store.ComplianceOf(s).History(ctx, w.Tenant.ID, w.Device.ID, 10)
		if err != nil || len(h) != 2 || h[0].Finding != compliance.FindingMet || h[1].Finding != compliance.FindingFailed {
			t.Fatalf("history %+v %v", h, err)
		}
		dc, err := svc.Compliance.Of(ctx, w.Tenant.ID, w.Device.ID)
		if err != nil || len(dc.Rules) != 1 || dc.Rules[0].Finding != compliance.FindingMet || dc.Rules[0].Failure != nil {
			t.Fatalf("compliance now %+v %v", dc, err)
		}
	})
}

// An iPhone below the minimum version: the employee is told which version to install;
// after the grace period its work access is refused, its certificate kept (the phone's
// own channel for removal), nothing sent to the phone, and never a wipe.
func TestAnOldIPhoneLosesWorkAccessButKeepsItsChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, ca := &storetest.Clock{T: testTime}, &fakeCA{}
		svc, w := complianceWorld(t, s, mdm.PlatformIOS, c, ca)
		setRules(t, svc, w, compliance.RuleSetting{Rule: compliance.RuleIOSVersion, MinVersion: "18.4", GraceDays: 3,
			Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceRevoke, compliance.ConsequenceLock}})
		report(t, svc, w, compliance.DeviceStatus{OSVersion: "17.6"}, compliance.Facts{})
		var notice compliance.Notice
		err := svc.Compliance.SendMail(ctx, compliance.MailJob{TenantID: w.Tenant.ID, DeviceID: w.Device.ID, Rule: compliance.RuleIOSVersion, Since: testTime},
			func(_ context.Context, n compliance.Notice) error { notice = n; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if _, text := notice.Message(); !strings.Contains(text, "update to iOS 18.4") {
			t.Fatalf("the notice does not say what to do:\n%s", text)
		}
		c.Advance(4 * 24 * time.Hour)
		if _, err := svc.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		if a := access(t, svc, w); a.Compliant {
			t.Fatal("an iPhone below the minimum keeps its work access")
		}
		if len(ca.revoked) != 0 {
			t.Fatal("the iPhone's MDM identity was revoked")
		}
		if kinds := commandKinds(t, s, w); !slices.Equal(kinds, []mdm.CommandKind{mdm.CommandApplyPolicy}) {
			t.Fatalf("commands %v; nothing may be sent to the iPhone for compliance", kinds)
		}
	})
}

// A rule switched on later applies to devices that reported before: the periodic check
// finds them, and the preview counts them before the rule is saved.
func TestARuleChangeIsPreviewedAndThenApplied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, ca := &storetest.Clock{T: testTime}, &fakeCA{}
		svc, w := complianceWorld(t, s, mdm.PlatformAndroid, c, ca)
		report(t, svc, w, compliance.DeviceStatus{OSVersion: "13"}, compliance.Facts{Integrity: compliance.FindingFailed, IntegrityDetail: "AT_RISK"})
		rules := []compliance.RuleSetting{{Rule: compliance.RuleAndroidVersion, MinVersion: "14"}, {Rule: compliance.RuleIntegrity, Consequences: []compliance.Consequence{compliance.ConsequenceMark}}}
		p, err := svc.Compliance.PreviewPolicyRules(ctx, w.Tenant, w.Policy.ID, rules)
		if err != nil || p.Devices != 1 || p.Failing != 1 || p.PerRule[compliance.RuleIntegrity] != 1 || p.PerRule[compliance.RuleAndroidVersion] != 1 {
			t.Fatalf("preview %+v %v", p, err)
		}
		if n := storetest.Count(t, s, "compliance_failures", "tenant_id = ?", w.Tenant.ID); n != 0 {
			t.Fatal("the preview saved something")
		}
		setRules(t, svc, w, rules...)
		if r, err := svc.Compliance.ApplyRules(ctx); err != nil || r.Checked != 1 || r.Acted != 2 {
			t.Fatalf("%+v %v", r, err)
		}
		if a := access(t, svc, w); a.Compliant || !slices.Equal(a.Rules, []compliance.Rule{compliance.RuleIntegrity}) {
			t.Fatalf("%+v", a)
		}
		setRules(t, svc, w)
		if _, err := svc.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		if n := storetest.Count(t, s, "compliance_failures", "tenant_id = ?", w.Tenant.ID); n != 0 {
			t.Fatalf("%d failures left after the rules were switched off", n)
		}
	})
}
