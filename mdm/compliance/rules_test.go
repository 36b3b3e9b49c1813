package compliance

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

var evalNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func TestEachRuleJudgesWhatThePlatformReports(t *testing.T) {
	old := evalNow.AddDate(0, 0, -40)
	cases := []struct {
		name    string
		rule    RuleSetting
		device  mdm.Device
		facts   Facts
		want    Finding
		skipped bool // the rule does not concern the platform
	}{
		{"Android below the minimum", RuleSetting{Rule: RuleAndroidVersion, MinVersion: "14"}, mdm.Device{Platform: mdm.PlatformAndroid, OSVersion: "13"}, Facts{}, FindingFailed, false},
		{"Android at the minimum", RuleSetting{Rule: RuleAndroidVersion, MinVersion: "14"}, mdm.Device{Platform: mdm.PlatformAndroid, OSVersion: "14"}, Facts{}, FindingMet, false},
		{"Android version rule on an iPhone", RuleSetting{Rule: RuleAndroidVersion, MinVersion: "14"}, mdm.Device{Platform: mdm.PlatformIOS, OSVersion: "9"}, Facts{}, "", true},
		{"iOS below the minimum", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, mdm.Device{Platform: mdm.PlatformIOS, OSVersion: "18.3.1"}, Facts{}, FindingFailed, false},
		{"iOS above the minimum", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, mdm.Device{Platform: mdm.PlatformIOS, OSVersion: "18.10"}, Facts{}, FindingMet, false},
		{"iOS version not yet reported", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, mdm.Device{Platform: mdm.PlatformIOS}, Facts{}, FindingUnknown, false},
		{"iOS version that is no number", RuleSetting{Rule: RuleIOSVersion, MinVersion: "18.4"}, mdm.Device{Platform: mdm.PlatformIOS, OSVersion: "beta"}, Facts{}, FindingUnknown, false},
		{"old patch", RuleSetting{Rule: RulePatchAge, Days: 90}, mdm.Device{Platform: mdm.PlatformAndroid, SecurityPatchLevel: "2026-06-05"}, Facts{}, FindingFailed, false},
		{"recent patch", RuleSetting{Rule: RulePatchAge, Days: 90}, mdm.Device{Platform: mdm.PlatformAndroid, SecurityPatchLevel: "2026-11-05"}, Facts{}, FindingMet, false},
		{"patch that is no date", RuleSetting{Rule: RulePatchAge, Days: 90}, mdm.Device{Platform: mdm.PlatformAndroid, SecurityPatchLevel: "soon"}, Facts{}, FindingUnknown, false},
		{"patch rule on an iPhone", RuleSetting{Rule: RulePatchAge, Days: 90}, mdm.Device{Platform: mdm.PlatformIOS}, Facts{}, "", true},
		{"work profile without passcode", RuleSetting{Rule: RuleWorkPasscode}, mdm.Device{Platform: mdm.PlatformAndroid}, Facts{Passcode: FindingFailed}, FindingFailed, false},
		{"work profile with passcode", RuleSetting{Rule: RuleWorkPasscode}, mdm.Device{Platform: mdm.PlatformAndroid}, Facts{Passcode: FindingMet}, FindingMet, false},
		{"iPhone passcode not reported", RuleSetting{Rule: RuleWorkPasscode}, mdm.Device{Platform: mdm.PlatformIOS}, Facts{}, FindingUnknown, false},
		{"Android compromised", RuleSetting{Rule: RuleIntegrity}, mdm.Device{Platform: mdm.PlatformAndroid}, Facts{Integrity: FindingFailed, IntegrityDetail: "POTENTIALLY_COMPROMISED"}, FindingFailed, false},
		{"Android secure", RuleSetting{Rule: RuleIntegrity}, mdm.Device{Platform: mdm.PlatformAndroid}, Facts{Integrity: FindingMet}, FindingMet, false},
		{"iPhone integrity cannot be known", RuleSetting{Rule: RuleIntegrity}, mdm.Device{Platform: mdm.PlatformIOS}, Facts{Integrity: FindingFailed}, FindingUnknown, false},
		{"silent too long", RuleSetting{Rule: RuleContact, Days: 30}, mdm.Device{Platform: mdm.PlatformIOS, LastContactAt: &old}, Facts{}, FindingFailed, false},
		{"recently in contact", RuleSetting{Rule: RuleContact, Days: 60}, mdm.Device{Platform: mdm.PlatformAndroid, LastContactAt: &old}, Facts{}, FindingMet, false},
		{"never in contact, created long ago", RuleSetting{Rule: RuleContact, Days: 30}, mdm.Device{Platform: mdm.PlatformAndroid, CreatedAt: old}, Facts{}, FindingFailed, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate([]RuleSetting{tc.rule}, tc.device, canOf(tc.device.Platform), tc.facts, evalNow)
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
	got := Evaluate([]RuleSetting{{Rule: RuleIOSVersion, MinVersion: "18.4"}}, mdm.Device{Platform: mdm.PlatformIOS, OSVersion: "17.6"}, canOf(mdm.PlatformIOS), Facts{}, evalNow)
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

// privateActions are the actions on the whole phone that the core refuses
// (mdm.ParseCommandKind); the test below checks that it refuses each.
var privateActions = []string{
	"erase_device", "wipe", "device_wipe", "lost_mode", "enable_lost_mode", "activation_lock",
	"clear_activation_lock", "locate", "device_location",
}

// No consequence ever acts on the whole phone: each is carried out with the work-side
// commands only, and none of them is a wipe.
func TestNoConsequenceWipesThePhone(t *testing.T) {
	for _, p := range []mdm.Platform{mdm.PlatformAndroid, mdm.PlatformIOS} {
		d := mdm.Device{Platform: p, State: mdm.DeviceActive}
		acted, _ := consequencesFor(RuleSetting{Consequences: Consequences}, d, canOf(p))
		for _, c := range acted {
			if slices.Contains(privateActions, string(c)) {
				t.Errorf("consequence %s acts on the private phone", c)
			}
		}
	}
	for _, c := range Consequences {
		if _, err := ParseConsequence(string(c)); err != nil {
			t.Error(err)
		}
	}
	for _, a := range privateActions {
		if _, err := mdm.ParseCommandKind(a); err == nil || !strings.Contains(err.Error(), "private phone") {
			t.Errorf("%q is not refused as an action on the private phone: %v", a, err)
		}
		if _, err := ParseConsequence(a); err == nil {
			t.Errorf("%q is accepted as a consequence", a)
		}
	}
}

// On an iPhone the MDM identity certificate is the channel its own removal travels on:
// compliance never revokes it; only a removal of the work area does, as every removal.
func TestComplianceNeverCutsAnIPhoneOffFromItsRemoval(t *testing.T) {
	_, revoke := consequencesFor(RuleSetting{Consequences: []Consequence{ConsequenceRevoke, ConsequenceLock, ConsequenceMark}},
		mdm.Device{Platform: mdm.PlatformIOS, State: mdm.DeviceActive}, canOf(mdm.PlatformIOS))
	if revoke {
		t.Fatal("an iPhone's certificates are revoked for compliance")
	}
	_, revoke = consequencesFor(RuleSetting{Consequences: []Consequence{ConsequenceRevoke}}, mdm.Device{Platform: mdm.PlatformAndroid, State: mdm.DeviceActive}, canOf(mdm.PlatformAndroid))
	if !revoke {
		t.Fatal("an Android work profile keeps its certificate")
	}
}

// Every fact stored for compliance is disclosed in the notice of the platforms that
// report it.
func TestNoticeDisclosesEveryComplianceFact(t *testing.T) {
	reported := map[mdm.Platform][]string{
		mdm.PlatformAndroid: {"Passcode", "Integrity", "IntegrityDetail"},
		mdm.PlatformIOS:     {"Passcode"},
	}
	for f := range reflect.TypeFor[Facts]().Fields() {
		if !slices.Contains(reported[mdm.PlatformAndroid], f.Name) {
			t.Errorf("ComplianceFacts.%s is stored but not listed here as reported", f.Name)
		}
	}
	for _, p := range []mdm.Platform{mdm.PlatformIOS, mdm.PlatformAndroid} {
		n, err := mdm.PrivacyNotice(p, mdm.OwnershipPersonal)
		if err != nil {
			t.Fatal(err)
		}
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
