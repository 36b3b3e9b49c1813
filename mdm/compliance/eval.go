package compliance

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Finding is what is known about one rule on one device.
type Finding string

// The findings. Unknown is no failure: a device is never punished for what its platform
// cannot report.
const (
	FindingUnknown Finding = "unknown"
	FindingMet     Finding = "met"
	FindingFailed  Finding = "failed"
)

// Facts are what a platform reports about a device beyond its status: whether
// the work container has a passcode and whether the device's integrity holds. Each is
// FindingUnknown when the platform cannot tell (an empty value counts as unknown).
type Facts struct {
	Passcode  Finding
	Integrity Finding
	// IntegrityDetail is the platform's own word for the integrity verdict (Android's
	// device posture, for example POTENTIALLY_COMPROMISED); empty when it gave none.
	IntegrityDetail string
}

// normalize turns empty findings into FindingUnknown and cuts the detail to its limit.
func (f Facts) normalize() Facts {
	if f.Passcode == "" {
		f.Passcode = FindingUnknown
	}
	if f.Integrity == "" {
		f.Integrity = FindingUnknown
	}
	f.IntegrityDetail = cut(f.IntegrityDetail, maxStatusField)
	return f
}

// merge returns the facts with what report knows replacing what f knew: a report that
// cannot tell (an iPhone's check-in, say) keeps the last finding.
func (f Facts) merge(report Facts) Facts {
	report = report.normalize()
	if report.Passcode != FindingUnknown {
		f.Passcode = report.Passcode
	}
	if report.Integrity != FindingUnknown {
		f.Integrity, f.IntegrityDetail = report.Integrity, report.IntegrityDetail
	}
	return f.normalize()
}

// RuleResult is the verdict of one rule on one device, with a reason a person understands
// and, for a failure, what the employee can do about it.
type RuleResult struct {
	Rule    Rule
	Finding Finding
	Reason  string
	Remedy  string
}

// Evaluate applies the rules to the device as recorded (OS version, patch level,
// last contact) and the facts its platform reported, at time now; can is what the device's
// platform can report. Rules that do not concern the device's platform are left out. It is pure: the same input gives the same
// verdicts.
func Evaluate(rules []RuleSetting, d mdm.Device, can mdm.Capability, f Facts, now time.Time) []RuleResult {
	f = f.normalize()
	out := make([]RuleResult, 0, len(rules))
	for _, r := range rules {
		if !r.Rule.appliesTo(d.Platform, can) {
			continue
		}
		res := RuleResult{Rule: r.Rule}
		switch r.Rule {
		case RuleAndroidVersion, RuleIOSVersion:
			res.Finding, res.Reason, res.Remedy = evaluateVersion(d, r.MinVersion)
		case RulePatchAge:
			res.Finding, res.Reason, res.Remedy = evaluatePatchAge(d.SecurityPatchLevel, r.Days, now)
		case RuleWorkPasscode:
			res.Finding, res.Reason, res.Remedy = evaluatePasscode(can, f.Passcode)
		case RuleIntegrity:
			res.Finding, res.Reason, res.Remedy = evaluateIntegrity(can, f)
		case RuleContact:
			res.Finding, res.Reason, res.Remedy = evaluateContact(d, r.Days, now)
		}
		out = append(out, res)
	}
	return out
}

// platformNames are the names employees know their systems by.
var platformNames = map[mdm.Platform]string{mdm.PlatformAndroid: "Android", mdm.PlatformIOS: "iOS"}

func evaluateVersion(d mdm.Device, minVersion string) (Finding, string, string) {
	name := platformNames[d.Platform]
	if d.OSVersion == "" {
		return FindingUnknown, fmt.Sprintf("the device has not reported its %s version yet", name), ""
	}
	cmp, ok := compareVersions(d.OSVersion, minVersion)
	switch {
	case !ok:
		return FindingUnknown, fmt.Sprintf("the reported version %q is not a version number", d.OSVersion), ""
	case cmp < 0:
		return FindingFailed, fmt.Sprintf("%s %s is older than the required %s %s", name, d.OSVersion, name, minVersion),
			fmt.Sprintf("update to %s %s or later", name, minVersion)
	}
	return FindingMet, fmt.Sprintf("%s %s meets the required %s", name, d.OSVersion, minVersion), ""
}

// compareVersions compares two dotted version numbers part by part, a missing part
// counting as 0; ok is false when either is not a version number.
func compareVersions(a, b string) (cmp int, ok bool) {
	pa, oka := versionParts(a)
	pb, okb := versionParts(b)
	if !oka || !okb {
		return 0, false
	}
	for i := range max(len(pa), len(pb)) {
		x, y := 0, 0
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, true
}

func versionParts(v string) ([]int, bool) {
	if !versionPattern.MatchString(strings.TrimSpace(v)) {
		return nil, false
	}
	var parts []int
	for _, s := range strings.Split(strings.TrimSpace(v), ".") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, false
		}
		parts = append(parts, n)
	}
	return parts, true
}

func evaluatePatchAge(level string, days int, now time.Time) (Finding, string, string) {
	if level == "" {
		return FindingUnknown, "the device has not reported its security patch level yet", ""
	}
	patched, err := time.Parse("2006-01-02", level)
	if err != nil {
		return FindingUnknown, fmt.Sprintf("the reported patch level %q is not a date", level), ""
	}
	age := int(now.Sub(patched).Hours() / 24)
	if age > days {
		return FindingFailed, fmt.Sprintf("the security patch of %s is %d days old; at most %d are allowed", level, age, days),
			"install the latest Android security update (Settings → Security → Security update)"
	}
	return FindingMet, fmt.Sprintf("the security patch of %s is %d days old (at most %d)", level, max(age, 0), days), ""
}

func evaluatePasscode(can mdm.Capability, f Finding) (Finding, string, string) {
	switch f {
	case FindingMet:
		return FindingMet, "the work area is protected by a passcode that meets the policy", ""
	case FindingFailed:
		if can.Has(mdm.ReportsWorkPasscode) {
			return FindingFailed, "the work profile has no passcode that meets the policy",
				"set a work profile passcode (Settings → Security → Work profile lock)"
		}
		return FindingFailed, "the phone's passcode does not meet the policy", "set a passcode of at least six digits"
	}
	if !can.Has(mdm.ReportsWorkPasscode) {
		return FindingUnknown, "User Enrolment reports only whether the passcode meets every requirement on the phone, and the phone has not reported it", ""
	}
	return FindingUnknown, "the work profile has not reported its passcode state yet", ""
}

func evaluateIntegrity(can mdm.Capability, f Facts) (Finding, string, string) {
	if !can.Has(mdm.ReportsIntegrity) {
		return FindingUnknown, "User Enrolment gives no way to know whether an iPhone is jailbroken; this rule cannot be checked on iPhones and iPads", ""
	}
	switch f.Integrity {
	case FindingMet:
		return FindingMet, "Google reports the device as secure", ""
	case FindingFailed:
		detail := f.IntegrityDetail
		if detail == "" {
			detail = "at risk"
		}
		return FindingFailed, fmt.Sprintf("Google reports the device's integrity as %s (rooted, modified or uncertified system)", detail),
			"use a device with its original, certified Android system; ask IT if you are unsure"
	}
	return FindingUnknown, "Google has not reported the device's integrity yet", ""
}

func evaluateContact(d mdm.Device, days int, now time.Time) (Finding, string, string) {
	last := d.CreatedAt
	if d.LastContactAt != nil {
		last = *d.LastContactAt
	}
	silent := int(now.Sub(last).Hours() / 24)
	if silent > days {
		return FindingFailed, fmt.Sprintf("no contact for %d days; at most %d are allowed", silent, days),
			"open a work app with an internet connection"
	}
	return FindingMet, fmt.Sprintf("last contact %d days ago (at most %d)", max(silent, 0), days), ""
}
