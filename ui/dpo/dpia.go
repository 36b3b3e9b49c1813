package dpo

import (
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// dpia is the draft of the data-protection impact assessment (Art. 35 GDPR): the
// processing as the record of processing describes it, why a work container is
// necessary and proportionate, the risks to employees, and the measures, each with the
// feature and the setting that carry it in this installation.
func dpia(f dataprotection.DocumentFacts, t texts) document {
	rop := newProcessingView(f.RecordOfProcessing, t.Lang())
	var recipients []string
	for _, r := range rop.Recipients {
		recipients = append(recipients, r.Name+": "+r.Data+" ("+r.Why+")")
	}
	processing := &table{Head: []string{t.T("dpia.aspect"), t.T("dpia.content")}, Rows: [][]string{
		{t.T("rop.purposes"), strings.Join(rop.Purposes, "; ")},
		{t.T("rop.legal_basis"), rop.LegalBasis},
		{t.T("rop.subjects"), strings.Join(rop.DataSubjects, "; ")},
		{t.T("rop.categories"), strings.Join(rop.DataCategories, "; ")},
		{t.T("rop.recipients"), strings.Join(recipients, "; ")},
	}}
	risks := &table{Head: []string{t.T("dpia.risk"), t.T("dpia.likelihood"), t.T("dpia.severity"), t.T("dpia.addressed")}}
	for _, what := range t.Numbered("dpia.risk.what") {
		n := len(risks.Rows) + 1
		risks.Rows = append(risks.Rows, []string{what, t.T(numbered("dpia.risk.likelihood", n)),
			t.T(numbered("dpia.risk.severity", n)), t.T(numbered("dpia.risk.addressed", n))})
	}
	var riskNotes []string
	if f.Settings.InactivityDays == 0 {
		riskNotes = append(riskNotes, t.T("dpia.risk.inactivity_off"))
	}
	return document{Sections: []section{
		{Key: "processing", Heading: t.T("dpia.processing"), Paras: []string{t.T("dpia.processing.intro")}, Table: processing},
		{Key: "necessity", Heading: t.T("dpia.necessity"), Paras: t.Numbered("dpia.necessity"),
			Items: noticeTexts(f.Notices, t.Lang(), func(n mdm.Notice) []mdm.NoticeItem { return n.CannotSee })},
		{Key: "risks", Heading: t.T("dpia.risks"), Paras: []string{t.T("dpia.risks.intro")}, Items: riskNotes, Table: risks},
		{Key: "measures", Heading: t.T("dpia.measures"), Paras: []string{t.T("dpia.measures.intro")}, Table: measures(f, t)},
		{Key: "retention", Heading: t.T("rop.retention"), Items: rop.Retention},
		{Key: "result", Heading: t.T("dpia.result"), Paras: t.Numbered("dpia.result")},
	}}
}

// measures is the table of measures: what each does, the feature that does it, and how
// this installation is set.
func measures(f dataprotection.DocumentFacts, t texts) *table {
	dp := f.Settings
	never := noticeTexts(f.Notices, t.Lang(), func(n mdm.Notice) []mdm.NoticeItem { return n.CannotDo })
	settings := map[string]string{
		"separation": t.T("dpia.set.always"),
		"gate":       strings.Join(never, "; "),
		"retention":  t.T("dpia.set.retention", args("Days", dp.DeviceRetentionDays)),
		"audit":      auditSetting(dp, t),
		"inactivity": inactivitySetting(dp, t),
		"roles":      rolesText(f.Roles, t),
		"manage":     t.T("dpia.set.manage", args("Roles", rolesWith(f.Roles, mdm.PermDevicesManage, t))),
		"mfa":        t.T("dpia.set.always"),
		"access":     t.T("dpia.set.access", args("Roles", rolesWith(f.Roles, mdm.PermDataProtectionRead, t))),
		"encryption": t.T("dpia.set.always"),
		"tls":        t.T("dpia.set.always"),
	}
	m := &table{Head: []string{t.T("dpia.measure"), t.T("dpia.feature"), t.T("dpia.setting")}}
	for _, k := range []string{"separation", "gate", "retention", "audit", "inactivity", "roles", "manage", "mfa", "access", "encryption", "tls"} {
		m.Rows = append(m.Rows, []string{t.T("dpia.m." + k), t.T("dpia.f." + k), settings[k]})
	}
	return m
}

// auditSetting says how long the tenant keeps its audit events.
func auditSetting(dp dataprotection.DataProtection, t texts) string {
	if dp.AuditRetentionYears == 0 {
		return t.T("dpia.set.audit_forever")
	}
	return t.T("dpia.set.audit", args("Years", dp.AuditRetentionYears))
}

// inactivitySetting says how the tenant's inactivity rule is set.
func inactivitySetting(dp dataprotection.DataProtection, t texts) string {
	if dp.InactivityDays == 0 {
		return t.T("dpia.set.inactivity_off")
	}
	return t.T("dpia.set.inactivity", args("Days", dp.InactivityDays, "Grace", dp.InactivityGraceDays,
		"Action", t.T("dpia.action."+string(dp.InactivityAction))))
}

// noticeTexts returns the statements of one part of the notices in the language, each
// once; a statement only one platform makes names the platform.
func noticeTexts(ns []mdm.Notice, lang string, part func(mdm.Notice) []mdm.NoticeItem) []string {
	var out []string
	for _, it := range noticeItems(ns, part) {
		out = append(out, it.text(lang))
	}
	return out
}

// platformItem is a statement of the notices with the platform it is made for; an empty
// platform means every platform's notice makes it.
type platformItem struct {
	mdm.NoticeItem
	Platform mdm.Platform
}

func (it platformItem) text(lang string) string {
	s := it.Text.In(lang)
	if it.Platform != "" {
		return textsIn(lang).T("doc.on_platform", args("Platform", textsIn(lang).Term("platform", it.Platform), "Text", s))
	}
	return s
}

// noticeItems returns the statements of one part of the notices in their order, those
// that every platform makes alike first and once.
func noticeItems(ns []mdm.Notice, part func(mdm.Notice) []mdm.NoticeItem) []platformItem {
	seen := map[mdm.NoticeText]int{}
	for _, n := range ns {
		for _, it := range part(n) {
			seen[it.Text]++
		}
	}
	var common, own []platformItem
	done := map[mdm.NoticeText]bool{}
	for _, n := range ns {
		for _, it := range part(n) {
			switch {
			case seen[it.Text] == len(ns) && !done[it.Text]:
				common = append(common, platformItem{NoticeItem: it})
				done[it.Text] = true
			case seen[it.Text] < len(ns):
				own = append(own, platformItem{NoticeItem: it, Platform: n.Platform})
			}
		}
	}
	return append(common, own...)
}

// rolesWith names the roles that hold the permission.
func rolesWith(rs []dataprotection.RoleGrant, p mdm.Permission, t texts) string {
	var names []string
	for _, r := range rs {
		if slices.Contains(r.Permissions, p) {
			names = append(names, t.Term("role", r.Role))
		}
	}
	return strings.Join(names, ", ")
}

// rolesText says in one line what each role may do.
func rolesText(rs []dataprotection.RoleGrant, t texts) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, t.Term("role", r.Role)+": "+permissionsText(r.Permissions, t))
	}
	return strings.Join(parts, "; ")
}

func permissionsText(ps []mdm.Permission, t texts) string {
	var names []string
	for _, p := range ps {
		names = append(names, t.Term("perm", p))
	}
	return strings.Join(names, ", ")
}
