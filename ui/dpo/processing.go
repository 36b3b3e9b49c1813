package dpo

import (
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// Recipient is someone data is disclosed to, with what and why.
type Recipient struct {
	Name string `json:"name"`
	Data string `json:"data"`
	Why  string `json:"why"`
}

// processingView is the record of processing with its wording in one language.
type processingView struct {
	dataprotection.RecordOfProcessing
	texts
	Purposes, DataSubjects, DataCategories, Retention, Measures []string
	Recipients                                                  []Recipient
	LegalBasis                                                  string
}

func newProcessingView(r dataprotection.RecordOfProcessing, lang string) processingView {
	t := textsIn(lang)
	dp := r.Settings
	v := processingView{RecordOfProcessing: r, texts: t,
		Purposes:       t.Numbered("rop.purpose"),
		DataSubjects:   []string{t.T("rop.subjects.employees", map[string]any{"Controller": r.Controller})},
		DataCategories: t.Numbered("rop.category"),
		Measures:       t.Numbered("rop.measure"),
		LegalBasis:     legalBasisText(dp, t),
		Recipients: []Recipient{
			{Name: t.T("rop.google"), Data: t.T("rop.google.data"), Why: t.T("rop.google.why")},
			{Name: t.T("rop.apple"), Data: t.T("rop.apple.data"), Why: t.T("rop.apple.why")},
		},
	}
	if r.Operator != "" {
		v.Recipients = append(v.Recipients, Recipient{Name: r.Operator, Data: t.T("rop.operator.data"), Why: t.T("rop.operator.why")})
	}
	// What the tenant worded itself stands as written.
	if dp.Purposes != "" {
		v.Purposes = []string{dp.Purposes}
	}
	if dp.Measures != "" {
		v.Measures = append(v.Measures, dp.Measures)
	}
	v.Retention = []string{t.T("rop.retention.devices", map[string]any{"Days": dp.DeviceRetentionDays})}
	if dp.AuditRetentionYears > 0 {
		v.Retention = append(v.Retention, t.T("rop.retention.audit", map[string]any{"Years": dp.AuditRetentionYears}))
	} else {
		v.Retention = append(v.Retention, t.T("rop.retention.audit_forever"))
	}
	if dp.InactivityDays > 0 {
		v.Retention = append(v.Retention, t.T("rop.retention.inactive_"+string(dp.InactivityAction),
			map[string]any{"Days": dp.InactivityDays, "Grace": dp.InactivityGraceDays}))
	}
	return v
}

// legalBasisText says the legal basis the tenant chose — the provision of Art. 6(1) GDPR
// with the national provision that goes with it — or that it is still to be chosen.
func legalBasisText(dp dataprotection.DataProtection, t texts) string {
	if dp.LegalBasis == "" {
		return t.T("rop.legal.none")
	}
	s := t.T("rop.legal." + string(dp.LegalBasis))
	switch dp.EmploymentLaw {
	case dataprotection.EmploymentBDSG:
		s += " " + t.T("rop.legal.bdsg26")
	case dataprotection.EmploymentLand:
		s += " " + t.T("rop.legal.land", args("Law", dp.LandLaw))
	}
	return s
}
