package mdm

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

var evalNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func TestEachRuleJudgesWhatThePlatformReports(t *testing.T) {
	old := evalNow.AddDate(0, 0, -40)
	cases := []struct {
		name    string
		rule    RuleSetting
		device  Device
		facts   ComplianceFacts
		want    Finding
		skipped bool // the rule does not concern the platform
	}{
		{"Android below the minimum", RuleSetting{Rule: RuleAndroidVersion, MinVersion: "14"}, Device{Platform: PlatformAndroid, OSVersion: "13"}, ComplianceFacts{}, FindingFailed, false},
		{"Android at the minimum", RuleSetting{Rule: RuleAndroidVersion, MinVersion: "14"}, Device{Platform: PlatformAndroid, OSVersion: "14"}, ComplianceFacts{}, FindingMet, false},
		{"Android version rule on an iPhone", RuleSetting{Rule: RuleAndroidVersion, MinVersion: "14"}, Device{Platform: PlatformIOS, OSVersion: "9"}, ComplianceFacts{}, "", true},
		{"iOS below the minimum", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, Device{Platform: PlatformIOS, OSVersion: "18.3.1"}, ComplianceFacts{}, FindingFailed, false},
		{"iOS above the minimum", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, Device{Platform: PlatformIOS, OSVersion: "18.10"}, ComplianceFacts{}, FindingMet, false},
		{"iOS version not yet reported", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, Device{Platform: PlatformIOS}, ComplianceFacts{}, FindingUnknown, false},
		{"iOS version that is no number", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, Device{Platform: PlatformIOS, OSVersion: "beta"}, ComplianceFacts{}, FindingUnknown, false},
		{"old patch", RuleSetting{Rule: RulePatchAge, Days: 90}, Device{Platform: PlatformAndroid, SecurityPatchLevel: "2026-06-05"}, ComplianceFacts{}, FindingFailed, false},
		{"recent patch", RuleSetting{Rule: RulePatchAge, Days: 90}, Device{Platform: PlatformAndroid, SecurityPatchLevel: "2026-11-05"}, ComplianceFacts{}, FindingMet, false},
		{"patch that is no date", RuleSetting{Rule: RulePatchAge, Days: 90}, Device{Platform: PlatformAndroid, SecurityPatchLevel: "soon"}, ComplianceFacts{}, FindingUnknown, false},
		{"patch rule on an iPhone", RuleSetting{Rule: RulePatchAge, Days: 90}, Device{Platform: PlatformIOS}, ComplianceFacts{}, "", true},
		{"work profile without passcode", RuleSetting{Rule: RuleWorkPasscode}, Device{Platform: PlatformAndroid}, ComplianceFacts{Passcode: FindingFailed}, FindingFailed, false},
		{"work profile with passcode", RuleSetting{Rule: RuleWorkPasscode}, Device{Platform: PlatformAndroid}, ComplianceFacts{Passcode: FindingMet}, FindingMet, false},
		{"iPhone passcode not reported", RuleSetting{Rule: RuleWorkPasscode}, Device{Platform: PlatformIOS}, ComplianceFacts{}, FindingUnknown, false},
		{"Android compromised", RuleSetting{Rule: RuleIntegrity}, Device{Platform: PlatformAndroid}, ComplianceFacts{Integrity: FindingFailed, IntegrityDetail: "POTENTIALLY_COMPROMISED"}, FindingFailed, false},
		{"Android secure", RuleSetting{Rule: RuleIntegrity}, Device{Platform: PlatformAndroid}, ComplianceFacts{Integrity: FindingMet}, FindingMet, false},
		{"iPhone integrity cannot be known", RuleSetting{Rule: RuleIntegrity}, Device{Platform: PlatformIOS}, ComplianceFacts{Integrity: FindingFailed}, FindingUnknown, false},
		{"silent too long", RuleSetting{Rule: RuleContact, Days: 30}, Device{Platform: PlatformIOS, LastContactAt: &old}, ComplianceFacts{}, FindingFailed, false},
		{"recently in contact", RuleSetting{Rule: RuleContact, Days: 60}, Device{Platform: PlatformAndroid, LastContactAt: &old}, ComplianceFacts{}, FindingMet, false},
		{"never in contact, created long ago", RuleSetting{Rule: RuleContact, Days: 30}, Device{Platform: PlatformAndroid, CreatedAt: old}, ComplianceFacts{}, FindingFailed, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := EvaluateCompliance([]RuleSetting{tc.rule}, tc.device, canOf(tc.device.Platform), tc.facts, evalNow)
			if tc.skipped {
				if len(got) != 0 {
					t.Fatalf("got %+v, want the rule left out", got)
				}
				return
			}
			if len(got) != 1 || got[0].Finding != tc.want {
				t.Fatalf("got %+v, want %s", got, tc.want)
			}
			if got[0].Reason == "" {
				t.Error("a verdict without a reason")
			}
			if (got[0].Finding == FindingFailed) != (got[0].Remedy != "") {
				t.Errorf("a failure says what to do, and only a failure: %+v", got[0])
			}
		})
	}
}

func TestAnIPhoneBelowTheMinimumIsToldWhichVersion(t *testing.T) {
	got := EvaluateCompliance([]RuleSetting{{Rule: RuleIOSVersion, MinVersion: "18.4"}}, Device{Platform: PlatformIOS, OSVersion: "17.6"}, canOf(PlatformIOS), ComplianceFacts{}, evalNow)
	if got[0].Remedy != "update to iOS 18.4 or later" {
		t.Fatalf("remedy %q", got[0].Remedy)
	}
}

func TestRuleSettingsAreCheckedBeforeTheyAreKept(t *testing.T) {
	bad := []RuleSetting{
		{Rule: "jailbreak"},
		{Rule: RuleIOSVersion, MinVersion: "eighteen"},
		{Rule: RulePatchAge},
		{Rule: RuleContact, Days: 4000},
		{Rule: RuleWorkPasscode, GraceDays: -1},
		{Rule: RuleIntegrity, Consequences: []Consequence{"erase_device"}},
	}
	for _, r := range bad {
		if err := r.Validate(); err == nil {
			t.Errorf("%+v was accepted", r)
		}
	}
	twice := []RuleSetting{{Rule: RuleIntegrity}, {Rule: RuleIntegrity}}
	if err := ValidateRuleSettings(twice); err == nil {
		t.Error("a rule set twice was accepted")
	}
	r := RuleSetting{Rule: RuleWorkPasscode, Consequences: []Consequence{ConsequenceLock, ConsequenceNotify, ConsequenceLock}}
	if err := r.Validate(); err != nil || !slices.Equal(r.Consequences, []Consequence{ConsequenceNotify, ConsequenceLock}) {
		t.Fatalf("%v %v", r.Consequences, err)
	}
}

// No consequence ever acts on the whole phone: each is carried out with the work-side
// commands only, and none of them is a wipe.
func TestNoConsequenceWipesThePhone(t *testing.T) {
	for _, p := range []Platform{PlatformAndroid, PlatformIOS} {
		d := Device{Platform: p, State: DeviceActive}
		acted, _ := consequencesFor(RuleSetting{Consequences: Consequences}, d, canOf(p))
		for _, c := range acted {
			if slices.Contains(privateDeviceActions, string(c)) {
				t.Errorf("consequence %s acts on the private phone", c)
			}
		}
	}
	for _, c := range Consequences {
		if _, err := ParseConsequence(string(c)); err != nil {
			t.Error(err)
		}
	}
	for _, a := range privateDeviceActions {
		if _, err := ParseConsequence(a); err == nil {
			t.Errorf("%q is accepted as a consequence", a)
		}
	}
}

// On an iPhone the MDM identity certificate is the channel its own removal travels on:
// compliance never revokes it; only a removal of the work area does, as every removal.
func TestComplianceNeverCutsAnIPhoneOffFromItsRemoval(t *testing.T) {
	_, revoke := consequencesFor(RuleSetting{Consequences: []Consequence{ConsequenceRevoke, ConsequenceLock, ConsequenceMark}},
		Device{Platform: PlatformIOS, State: DeviceActive}, canOf(PlatformIOS))
	if revoke {
		t.Fatal("an iPhone's certificates are revoked for compliance")
	}
	_, revoke = consequencesFor(RuleSetting{Consequences: []Consequence{ConsequenceRevoke}}, Device{Platform: PlatformAndroid, State: DeviceActive}, canOf(PlatformAndroid))
	if !revoke {
		t.Fatal("an Android work profile keeps its certificate")
	}
}

// Every fact stored for compliance is disclosed in the notice of the platforms that
// report it.
func TestNoticeDisclosesEveryComplianceFact(t *testing.T) {
	reported := map[Platform][]string{
		PlatformAndroid: {"Passcode", "Integrity", "IntegrityDetail"},
		PlatformIOS:     {"Passcode"},
	}
	for f := range reflect.TypeFor[ComplianceFacts]().Fields() {
		if !slices.Contains(reported[PlatformAndroid], f.Name) {
			t.Errorf("ComplianceFacts.%s is stored but not listed here as reported", f.Name)
		}
	}
	for _, n := range notices(t) {
		var disclosed []string
		for _, it := range n.CanSee {
			disclosed = append(disclosed, it.DeviceFields...)
		}
		for _, f := range reported[n.Platform] {
			if !slices.Contains(disclosed, "ComplianceFacts."+f) {
				t.Errorf("the %s notice does not disclose ComplianceFacts.%s", n.Platform, f)
			}
		}
	}
}
