package portal_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
)

// An employee whose iPhone is below the required version reads on the status page what to
// do and by when, and that the consequences stop at the work area, in both languages.
func TestTheStatusPageSaysWhatToDoAboutABrokenRule(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inv := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de"})
	f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid))
	devices, _ := f.store.Devices().Devices(ctx, f.tenant.ID, mdm.DeviceFilter{})
	d := devices[0]
	policy := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1}
	if err := store.WorkPoliciesOf(f.store).CreateWorkPolicy(ctx, f.tenant.ID, &policy); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Tables().DB().Exec("UPDATE devices SET platform = 'ios', state = 'active', os_version = '17.6', work_policy_id = ? WHERE id = ?", policy.ID, d.ID).Error; err != nil {
		t.Fatal(err)
	}
	err := f.svc.Compliance.SetPolicyRules(ctx, "admin:test", f.tenant, policy.ID, []compliance.RuleSetting{{Rule: compliance.RuleIOSVersion, MinVersion: "18.4", GraceDays: 7,
		Consequences: []compliance.Consequence{compliance.ConsequenceNotify, compliance.ConsequenceLock}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Compliance.ApplyRules(ctx); err != nil {
		t.Fatal(err)
	}
	_, _, page := f.do("GET", "/e/"+inv.Code, nil)
	mustContain(t, page, "Aktualisieren Sie mindestens auf iOS 18.4", "Bitte erledigen Sie das bis", "Ihr privater Bereich bleibt immer unberührt")
	_, _, page = f.do("GET", "/e/"+inv.Code+"?"+url.Values{"lang": {"en"}}.Encode(), nil)
	mustContain(t, page, "Update to iOS 18.4 or later", "Please do this by", "Your personal side is never affected")
}
