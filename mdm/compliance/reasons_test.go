package compliance

import (
	"maps"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Every reason the rules give can be read back from its English sentence as stored, with
// its values, so that a page can say it in its reader's language.
func TestEveryReasonIsReadBackFromItsSentence(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	old := now.AddDate(0, 0, -40)
	android := mdm.Device{Platform: mdm.PlatformAndroid, OSVersion: "13", SecurityPatchLevel: "2026-01-05", CreatedAt: old, LastContactAt: &old}
	rules := []RuleSetting{{Rule: RuleAndroidVersion, MinVersion: "14"}, {Rule: RulePatchAge, Days: 90},
		{Rule: RuleWorkPasscode}, {Rule: RuleIntegrity}, {Rule: RuleContact, Days: 30}}
	seen := map[string]bool{}
	for _, c := range []struct {
		d     mdm.Device
		can   mdm.Capability
		facts Facts
	}{
		{android, mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel, Facts{Passcode: FindingFailed, Integrity: FindingFailed, IntegrityDetail: "MEETS_BASIC_INTEGRITY"}},
		{android, mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel, Facts{Integrity: FindingFailed}},
		{mdm.Device{Platform: mdm.PlatformAndroid, OSVersion: "15", SecurityPatchLevel: "2026-11-05", CreatedAt: now}, mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel,
			Facts{Passcode: FindingMet, Integrity: FindingMet}},
		{mdm.Device{Platform: mdm.PlatformAndroid, OSVersion: "fünfzehn", SecurityPatchLevel: "November", CreatedAt: now}, mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel, Facts{}},
		{mdm.Device{Platform: mdm.PlatformAndroid, CreatedAt: now}, mdm.ReportsWorkPasscode | mdm.ReportsIntegrity | mdm.ReportsPatchLevel, Facts{}},
		{mdm.Device{Platform: mdm.PlatformIOS, OSVersion: "18.2", CreatedAt: now}, 0, Facts{Passcode: FindingFailed}},
		{mdm.Device{Platform: mdm.PlatformIOS, CreatedAt: now}, 0, Facts{}},
	} {
		for _, res := range Evaluate(rules, c.d, c.can, c.facts, now) {
			for _, sentence := range []string{res.Reason, res.Remedy} {
				if sentence == "" {
					continue
				}
				r, ok := ReasonOf(sentence)
				if !ok || r.String() != sentence {
					t.Errorf("%q is read back as %+v, %v", sentence, r, ok)
				}
				seen[r.ID] = true
			}
		}
	}
	for _, id := range ReasonIDs() {
		if !seen[id] {
			t.Errorf("no case gives the reason %s", id)
		}
	}
	if r, ok := ReasonOf("Android 13 is older than the required iOS 14"); ok {
		t.Errorf("a sentence naming two platforms is read as %+v", r)
	}
	if r, ok := ReasonOf("the device reported something else entirely"); ok {
		t.Errorf("a platform's own words are read as %+v", r)
	}
}

// Whatever a stored reason holds, reading it back never fails loudly, and what it reads
// says the same sentence again.
func FuzzReasonOf(f *testing.F) {
	f.Add("Android 13 is older than the required Android 14")
	f.Add("the security patch of 2020-01-01 is 2531 days old; at most 90 are allowed")
	f.Add("Google reports the device's integrity as at risk (rooted, modified or uncertified system)")
	f.Add(`the reported version "1 is older than the required 1" is not a version number`)
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ReasonOf(s)
		if !ok {
			return
		}
		if r.String() != s {
			t.Errorf("%q is read as %+v, which says %q", s, r, r.String())
		}
		again, _ := ReasonOf(r.String())
		if again.ID != r.ID || !maps.Equal(again.Args, r.Args) {
			t.Errorf("%q is read as %+v, then as %+v", s, r, again)
		}
	})
}
