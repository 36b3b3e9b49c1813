package ui

import "github.com/trennwand/trennwand/mdm/compliance"

// ComplianceReason says a reason of the compliance rules, kept as its English sentence
// (on the device, in its history and in the audit trail), in the localizer's language. A
// sentence that is no reason of the rules, such as a platform's own words, stays as it is.
func (l *Localizer) ComplianceReason(sentence string) string {
	r, ok := compliance.ReasonOf(sentence)
	if !ok {
		return sentence
	}
	return l.T("compliance.reason."+r.ID, r.Args)
}
