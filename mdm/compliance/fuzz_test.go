package compliance

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// FuzzRuleSetting feeds arbitrary rule settings, as forms and JSON bodies bring them, to
// the validation and the evaluation. Neither may panic; a setting that passes validation
// names a known rule with its limits kept, and evaluating it on a device gives a verdict
// with a reason.
func FuzzRuleSetting(f *testing.F) {
	f.Add("ios_version", "18.4", 0, 7, "notify,lock_work", "17.6", "2026-01-05")
	f.Add("patch_age", "", 90, 0, "mark_noncompliant", "14", "2025-13-40")
	f.Add("contact", "", -1, 400, "erase_device", "", "")
	f.Add("android_version", "99999.1", 0, 0, "", "14.a", "")
	f.Fuzz(func(t *testing.T, rule, minVersion string, days, grace int, consequences, osVersion, patch string) {
		r := RuleSetting{Rule: Rule(rule), MinVersion: minVersion, Days: days, GraceDays: grace}
		for _, c := range strings.Split(consequences, ",") {
			r.Consequences = append(r.Consequences, Consequence(c))
		}
		if err := r.Validate(); err != nil {
			return
		}
		if !slices.Contains(Rules, r.Rule) || r.GraceDays < 0 || r.GraceDays > maxGraceDays || r.Days < 0 || r.Days > maxRuleDays {
			t.Fatalf("accepted %+v", r)
		}
		for _, p := range []mdm.Platform{mdm.PlatformAndroid, mdm.PlatformIOS} {
			d := mdm.Device{Platform: p, OSVersion: osVersion, SecurityPatchLevel: patch, CreatedAt: evalNow.Add(-time.Hour)}
			for _, res := range Evaluate([]RuleSetting{r}, d, canOf(p), Facts{}, evalNow) {
				if res.Reason == "" {
					t.Errorf("verdict without a reason: %+v", res)
				}
			}
		}
	})
}

func TestVersionsCompareByTheirNumbers(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"18.10", "18.4", 1}, {"18.4", "18.4.0", 0}, {"17.6.1", "18", -1}, {"14", "13.9.9", 1}}
	for _, tc := range cases {
		if got, ok := compareVersions(tc.a, tc.b); !ok || got != tc.want {
			t.Errorf("%s vs %s: %d, want %s", tc.a, tc.b, got, strconv.Itoa(tc.want))
		}
	}
	if _, ok := compareVersions("18.4-beta", "18"); ok {
		t.Error("a version with letters was compared")
	}
}
