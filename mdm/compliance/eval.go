package compliance

import (
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
		return FindingUnknown, because("version_unreported", "Platform", name), ""
	}
	cmp, ok := compareVersions(d.OSVersion, minVersion)
	switch {
	case !ok:
		return FindingUnknown, because("version_unreadable", "Version", d.OSVersion), ""
	case cmp < 0:
		return FindingFailed, because("version_older", "Platform", name, "Version", d.OSVersion, "Min", minVersion),
			because("update_version", "Platform", name, "Min", minVersion)
	}
	return FindingMet, because("version_met", "Platform", name, "Version", d.OSVersion, "Min", minVersion), ""
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
		return FindingUnknown, because("patch_unreported"), ""
	}
	patched, err := time.Parse("2006-01-02", level)
	if err != nil {
		return FindingUnknown, because("patch_unreadable", "Level", level), ""
	}
	age := int(now.Sub(patched).Hours() / 24)
	if age > days {
		return FindingFailed, because("patch_old", "Level", level, "Age", strconv.Itoa(age), "Days", strconv.Itoa(days)),
			because("update_patch")
	}
	return FindingMet, because("patch_met", "Level", level, "Age", strconv.Itoa(max(age, 0)), "Days", strconv.Itoa(days)), ""
}

func evaluatePasscode(can mdm.Capability, f Finding) (Finding, string, string) {
	switch f {
	case FindingMet:
		return FindingMet, because("passcode_met"), ""
	case FindingFailed:
		if can.Has(mdm.ReportsWorkPasscode) {
			return FindingFailed, because("work_passcode_failed"), because("set_work_passcode")
		}
		return FindingFailed, because("passcode_failed"), because("set_passcode")
	}
	if !can.Has(mdm.ReportsWorkPasscode) {
		return FindingUnknown, because("passcode_unreported_ios"), ""
	}
	return FindingUnknown, because("passcode_unreported"), ""
}

func evaluateIntegrity(can mdm.Capability, f Facts) (Finding, string, string) {
	if !can.Has(mdm.ReportsIntegrity) {
		return FindingUnknown, because("integrity_unknowable"), ""
	}
	switch f.Integrity {
	case FindingMet:
		return FindingMet, because("integrity_met"), ""
	case FindingFailed:
		reason := because("integrity_at_risk")
		if f.IntegrityDetail != "" {
			reason = because("integrity_failed", "Detail", f.IntegrityDetail)
		}
		return FindingFailed, reason, because("use_certified")
	}
	return FindingUnknown, because("integrity_unreported"), ""
}

func evaluateContact(d mdm.Device, days int, now time.Time) (Finding, string, string) {
	last := d.CreatedAt
	if d.LastContactAt != nil {
		last = *d.LastContactAt
	}
	silent := int(now.Sub(last).Hours() / 24)
	if silent > days {
		return FindingFailed, because("contact_lost", "Silent", strconv.Itoa(silent), "Days", strconv.Itoa(days)),
			because("open_work_app")
	}
	return FindingMet, because("contact_met", "Silent", strconv.Itoa(max(silent, 0)), "Days", strconv.Itoa(days)), ""
}
