package compliance

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Rule names one rule a work policy can set for its devices.
type Rule string

// The compliance rules. The version rules hold per platform; the patch-age rule only for
// Android, which is the only platform that reports a security patch level.
const (
	RuleAndroidVersion Rule = "android_version" // minimum Android version
	RuleIOSVersion     Rule = "ios_version"     // minimum iOS/iPadOS version
	RulePatchAge       Rule = "patch_age"       // maximum age of the Android security patch, in days
	RuleWorkPasscode   Rule = "work_passcode"   // the work container is protected by a passcode
	RuleIntegrity      Rule = "integrity"       // the device is not rooted, jailbroken or tampered with
	RuleContact        Rule = "contact"         // maximum days without contact
)

// Rules lists every rule in the order pages and notices show them.
var Rules = []Rule{
	RuleAndroidVersion, RuleIOSVersion, RulePatchAge, RuleWorkPasscode, RuleIntegrity, RuleContact,
}

// ParseRule returns the rule named s.
func ParseRule(s string) (Rule, error) {
	if slices.Contains(Rules, Rule(s)) {
		return Rule(s), nil
	}
	return "", mdm.Refuse("refusal.compliance.rule", fmt.Errorf("%w: compliance rule %q: use one of %s", mdm.ErrInvalid, s, joinRules(Rules)), "Rule", s)
}

func joinRules(rs []Rule) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Consequence is what happens to a device that breaks a rule. Every consequence concerns
// the work container and work access only, never the phone itself.
type Consequence string

// The consequences a tenant can choose per rule. Notify happens when the rule is broken;
// the others when the grace period has passed and the device still breaks it.
const (
	// ConsequenceNotify tells the employee by e-mail and on the portal what to do and by when.
	ConsequenceNotify Consequence = "notify"
	// ConsequenceMark marks the device non-compliant: the conditional-access endpoint
	// then refuses it, so mail gateways and VPNs that ask it stop accepting the device.
	ConsequenceMark Consequence = "mark_noncompliant"
	// ConsequenceRevoke revokes the device certificates of an Android work profile (in
	// the CRL), re-issued once the device complies again. On an iPhone the MDM identity is
	// the phone's only channel to us, the one its own removal travels on, so it is kept,
	// and the conditional-access endpoint refuses the device instead.
	ConsequenceRevoke Consequence = "revoke_certificates"
	// ConsequenceLock locks the Android work profile. A User Enrolment has no lock
	// command; there the device's work access is refused at the conditional-access
	// endpoint until it complies again.
	ConsequenceLock Consequence = "lock_work"
	// ConsequenceRemove removes the work container and its data (never a full wipe).
	ConsequenceRemove Consequence = "remove_work_data"
)

// Consequences lists every consequence in the order pages show them.
var Consequences = []Consequence{ConsequenceNotify, ConsequenceMark, ConsequenceRevoke, ConsequenceLock, ConsequenceRemove}

// ParseConsequence returns the consequence named s.
func ParseConsequence(s string) (Consequence, error) {
	if slices.Contains(Consequences, Consequence(s)) {
		return Consequence(s), nil
	}
	return "", mdm.Refuse("refusal.compliance.consequence", fmt.Errorf("%w: consequence %q: use notify, mark_noncompliant, revoke_certificates, lock_work or remove_work_data", mdm.ErrInvalid, s), "Consequence", s)
}

// RuleSetting is one rule switched on for a work policy: its threshold, the grace period
// before its consequences, and the consequences the tenant chose.
type RuleSetting struct {
	TenantID     string
	WorkPolicyID string
	Rule         Rule
	// MinVersion is the lowest OS version allowed ("14", "18.4"): the version rules only.
	MinVersion string
	// Days is the patch-age or contact limit: those rules only.
	Days int
	// GraceDays is how long a device may break the rule before the consequences other
	// than notify are carried out; 0 carries them out at the next check.
	GraceDays    int
	Consequences []Consequence
	UpdatedAt    time.Time
}

// Limits on rule settings.
const (
	maxRuleDays  = 3650
	maxGraceDays = 365
)

// versionPattern is what an OS version looks like: up to three numbers with dots.
var versionPattern = regexp.MustCompile(`^[0-9]{1,4}(\.[0-9]{1,4}){0,2}$`)

// Validate checks the setting and normalises it: consequences sorted, without repeats.
func (r *RuleSetting) Validate() error {
	if _, err := ParseRule(string(r.Rule)); err != nil {
		return err
	}
	r.MinVersion = strings.TrimSpace(r.MinVersion)
	switch r.Rule {
	case RuleAndroidVersion, RuleIOSVersion:
		if !versionPattern.MatchString(r.MinVersion) {
			return mdm.Refuse("refusal.compliance.min_version", fmt.Errorf("%w: rule %s needs a minimum version such as 14 or 18.4, not %q", mdm.ErrInvalid, r.Rule, r.MinVersion), "Version", r.MinVersion)
		}
		r.Days = 0
	case RulePatchAge, RuleContact:
		if r.Days < 1 || r.Days > maxRuleDays {
			return mdm.Refuse("refusal.compliance.days", fmt.Errorf("%w: rule %s needs a number of days from 1 to %d", mdm.ErrInvalid, r.Rule, maxRuleDays), "Max", strconv.Itoa(maxRuleDays))
		}
		r.MinVersion = ""
	default:
		r.MinVersion, r.Days = "", 0
	}
	if r.GraceDays < 0 || r.GraceDays > maxGraceDays {
		return mdm.Refuse("refusal.compliance.grace", fmt.Errorf("%w: grace period of rule %s: 0 to %d days", mdm.ErrInvalid, r.Rule, maxGraceDays), "Max", strconv.Itoa(maxGraceDays))
	}
	seen := map[Consequence]bool{}
	for _, c := range r.Consequences {
		if _, err := ParseConsequence(string(c)); err != nil {
			return err
		}
		seen[c] = true
	}
	r.Consequences = r.Consequences[:0]
	for _, c := range Consequences {
		if seen[c] {
			r.Consequences = append(r.Consequences, c)
		}
	}
	return nil
}

// Has reports whether the tenant chose consequence c for the rule.
func (r RuleSetting) Has(c Consequence) bool { return slices.Contains(r.Consequences, c) }

// versionRulePlatform is the platform whose system version a version rule sets: the rule
// names it.
var versionRulePlatform = map[Rule]mdm.Platform{RuleAndroidVersion: mdm.PlatformAndroid, RuleIOSVersion: mdm.PlatformIOS}

// appliesTo reports whether the rule concerns devices of the platform p, which can what
// can says: a version rule concerns its own platform, the patch age a platform that
// reports its patch level, every other rule every platform.
func (r Rule) appliesTo(p mdm.Platform, can mdm.Capability) bool {
	if versionOf, ok := versionRulePlatform[r]; ok {
		return versionOf == p
	}
	return r != RulePatchAge || can.Has(mdm.ReportsPatchLevel)
}

// ValidateRuleSettings checks a policy's whole rule list: each setting, and each rule at
// most once.
func ValidateRuleSettings(rules []RuleSetting) error {
	seen := map[Rule]bool{}
	for i := range rules {
		if err := rules[i].Validate(); err != nil {
			return err
		}
		if seen[rules[i].Rule] {
			return mdm.Refuse("refusal.compliance.twice", fmt.Errorf("%w: rule %s is set twice", mdm.ErrInvalid, rules[i].Rule))
		}
		seen[rules[i].Rule] = true
	}
	return nil
}
