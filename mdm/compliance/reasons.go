package compliance

import (
	"regexp"
	"slices"
	"strings"
)

// Reason says why a rule holds, fails or cannot be told on a device, or what the employee
// can do about it: the ID of its sentence and the values the sentence names. Its English
// text (String) is what the database, the audit trail, the JSON API and the mails keep;
// pages read it back with ReasonOf and say it in their reader's language through the
// catalogue's "compliance.reason.<ID>".
type Reason struct {
	ID   string
	Args map[string]string
}

// reasonTexts are the English sentences of the reasons, their values named in braces.
var reasonTexts = map[string]string{
	"version_unreported":      "the device has not reported its {Platform} version yet",
	"version_unreadable":      `the reported version "{Version}" is not a version number`,
	"version_older":           "{Platform} {Version} is older than the required {Platform} {Min}",
	"version_met":             "{Platform} {Version} meets the required {Min}",
	"update_version":          "update to {Platform} {Min} or later",
	"patch_unreported":        "the device has not reported its security patch level yet",
	"patch_unreadable":        `the reported patch level "{Level}" is not a date`,
	"patch_old":               "the security patch of {Level} is {Age} days old; at most {Days} are allowed",
	"patch_met":               "the security patch of {Level} is {Age} days old (at most {Days})",
	"update_patch":            "install the latest Android security update (Settings → Security → Security update)",
	"passcode_met":            "the work area is protected by a passcode that meets the policy",
	"work_passcode_failed":    "the work profile has no passcode that meets the policy",
	"set_work_passcode":       "set a work profile passcode (Settings → Security → Work profile lock)",
	"passcode_failed":         "the phone's passcode does not meet the policy",
	"set_passcode":            "set a passcode of at least six digits",
	"passcode_unreported_ios": "User Enrolment reports only whether the passcode meets every requirement on the phone, and the phone has not reported it",
	"passcode_unreported":     "the work profile has not reported its passcode state yet",
	"integrity_unknowable":    "User Enrolment gives no way to know whether an iPhone is jailbroken; this rule cannot be checked on iPhones and iPads",
	"integrity_met":           "Google reports the device as secure",
	"integrity_failed":        "Google reports the device's integrity as {Detail} (rooted, modified or uncertified system)",
	"integrity_at_risk":       "Google reports the device's integrity as at risk (rooted, modified or uncertified system)",
	"use_certified":           "use a device with its original, certified Android system; ask IT if you are unsure",
	"integrity_unreported":    "Google has not reported the device's integrity yet",
	"contact_lost":            "no contact for {Silent} days; at most {Days} are allowed",
	"contact_met":             "last contact {Silent} days ago (at most {Days})",
	"open_work_app":           "open a work app with an internet connection",
}

// ReasonIDs lists every reason, for the tests of the catalogues.
func ReasonIDs() []string {
	ids := make([]string, 0, len(reasonTexts))
	for id := range reasonTexts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// field is a value's place in a reason's sentence.
var field = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// because returns the reason's English sentence with its values, given as pairs of name
// and value.
func because(id string, nameValues ...string) string {
	args := make(map[string]string, len(nameValues)/2)
	for i := 0; i+1 < len(nameValues); i += 2 {
		args[nameValues[i]] = nameValues[i+1]
	}
	return Reason{ID: id, Args: args}.String()
}

// String is the reason's English sentence.
func (r Reason) String() string {
	return field.ReplaceAllStringFunc(reasonTexts[r.ID], func(f string) string { return r.Args[f[1:len(f)-1]] })
}

// reasonPattern reads one reason's sentence back: the pattern and the names of its values
// in the order they stand.
type reasonPattern struct {
	id    string
	re    *regexp.Regexp
	names []string
}

// reasonPatterns match the sentences, a reason without values before those with values,
// so that the fixed wording of integrity_at_risk wins over integrity_failed.
var reasonPatterns = func() []reasonPattern {
	var out []reasonPattern
	for _, id := range ReasonIDs() {
		text := reasonTexts[id]
		var names []string
		var re strings.Builder
		re.WriteString("^")
		last := 0
		for _, m := range field.FindAllStringSubmatchIndex(text, -1) {
			re.WriteString(regexp.QuoteMeta(text[last:m[0]]))
			re.WriteString("(.+?)")
			names = append(names, text[m[2]:m[3]])
			last = m[1]
		}
		re.WriteString(regexp.QuoteMeta(text[last:]) + "$")
		out = append(out, reasonPattern{id: id, re: regexp.MustCompile(re.String()), names: names})
	}
	slices.SortStableFunc(out, func(a, b reasonPattern) int { return len(a.names) - len(b.names) })
	return out
}()

// ReasonOf reads a reason back from its English sentence, as stored; ok is false for a
// sentence that is no reason of this package (a platform's own words, say).
func ReasonOf(sentence string) (r Reason, ok bool) {
	for _, p := range reasonPatterns {
		m := p.re.FindStringSubmatch(sentence)
		if m == nil {
			continue
		}
		args := make(map[string]string, len(p.names))
		same := true
		for i, name := range p.names {
			if v, seen := args[name]; seen && v != m[i+1] {
				same = false
			}
			args[name] = m[i+1]
		}
		if same {
			return Reason{ID: p.id, Args: args}, true
		}
	}
	return Reason{}, false
}
