package compliance

import (
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// The compliance rules ask the device's platform's capabilities: certificates are revoked
// for compliance only where the device stays managed without them, and the patch age and
// integrity are judged only where they are reported.
func TestTheComplianceRulesAskForCapabilities(t *testing.T) {
	active := mdm.Device{Platform: "newos", State: mdm.DeviceActive}
	for _, can := range capabilitySets() {
		t.Run(can.String(), func(t *testing.T) {
			_, revoke := consequencesFor(RuleSetting{Consequences: []Consequence{ConsequenceRevoke}}, active, can)
			if revoke != can.Has(mdm.RevocableWhileManaged) {
				t.Errorf("compliance revokes the certificates of a platform that can %q: %v", can, revoke)
			}
			if RulePatchAge.appliesTo(active.Platform, can) != can.Has(mdm.ReportsPatchLevel) {
				t.Errorf("patch age judged on a platform that can %q", can)
			}
			res := Evaluate([]RuleSetting{{Rule: RuleIntegrity}}, active, can, Facts{Integrity: FindingFailed}, evalNow)
			if failed := len(res) == 1 && res[0].Finding == FindingFailed; failed != can.Has(mdm.ReportsIntegrity) {
				t.Errorf("an integrity failure counts on a platform that can %q: %v", can, failed)
			}
		})
	}
}

// A version rule names its platform; it never concerns another, whatever that can do.
func TestAVersionRuleConcernsOnlyItsPlatform(t *testing.T) {
	for rule, p := range versionRulePlatform {
		if !rule.appliesTo(p, 0) {
			t.Errorf("%s does not concern %s", rule, p)
		}
		if rule.appliesTo("newos", ^mdm.Capability(0)) {
			t.Errorf("%s concerns another platform", rule)
		}
	}
}
