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
// once; a statement that not every notice makes names the platform or the ownership whose
// notices make it.
func noticeTexts(ns []mdm.Notice, lang string, part func(mdm.Notice) []mdm.NoticeItem) []string {
	var out []string
	for _, it := range noticeItems(ns, part) {
		out = append(out, it.text(lang))
	}
	return out
}

// platformItem is a statement of the notices with the platform and the ownership whose
// notices make it; an empty one means every platform's, or every ownership's, notice.
type platformItem struct {
	mdm.NoticeItem
	Platform  mdm.Platform
	Ownership mdm.Ownership
}

func (it platformItem) text(lang string) string {
	t, s := textsIn(lang), it.Text.In(lang)
	switch {
	case it.Platform != "" && it.Ownership != "":
		return t.T("doc.on_platform_ownership", args("Platform", t.Term("platform", it.Platform), "Ownership", t.Term("ownership", it.Ownership), "Text", s))
	case it.Platform != "":
		return t.T("doc.on_platform", args("Platform", t.Term("platform", it.Platform), "Text", s))
	case it.Ownership != "":
		return t.T("doc.on_ownership", args("Ownership", t.Term("ownership", it.Ownership), "Text", s))
	}
	return s
}

// noticeItems returns the statements of one part of the notices in their order, each
// once: those that every notice makes first, then each with the platform or the
// ownership (or both) whose notices alone make it.
func noticeItems(ns []mdm.Notice, part func(mdm.Notice) []mdm.NoticeItem) []platformItem {
	makers := map[mdm.NoticeText][]mdm.Notice{}
	var order []mdm.NoticeItem
	for _, n := range ns {
		for _, it := range part(n) {
			if _, ok := makers[it.Text]; !ok {
				order = append(order, it)
			}
			makers[it.Text] = append(makers[it.Text], n)
		}
	}
	var common, own []platformItem
	for _, it := range order {
		by := makers[it.Text]
		if len(by) == len(ns) {
			common = append(common, platformItem{NoticeItem: it})
			continue
		}
		own = append(own, madeBy(it, by, ns)...)
	}
	return append(common, own...)
}

// madeBy names who makes the statement it: the notices by of all the notices ns. The
// notices of one ownership (then of one platform) that all make it are named together,
// any other one by one.
func madeBy(it mdm.NoticeItem, by, ns []mdm.Notice) []platformItem {
	type whose struct {
		p mdm.Platform
		o mdm.Ownership
	}
	left := map[whose]bool{}
	for _, n := range by {
		left[whose{n.Platform, n.Ownership}] = true
	}
	var out []platformItem
	take := func(group func(whose) bool, named platformItem) {
		var all []whose
		for _, n := range ns {
			if w := (whose{n.Platform, n.Ownership}); group(w) {
				if !left[w] {
					return
				}
				all = append(all, w)
			}
		}
		if len(all) == 0 {
			return
		}
		for _, w := range all {
			delete(left, w)
		}
		out = append(out, named)
	}
	for _, o := range mdm.Ownerships {
		take(func(w whose) bool { return w.o == o }, platformItem{NoticeItem: it, Ownership: o})
	}
	for _, n := range ns {
		take(func(w whose) bool { return w.p == n.Platform }, platformItem{NoticeItem: it, Platform: n.Platform})
	}
	for _, n := range by {
		if left[whose{n.Platform, n.Ownership}] {
			out = append(out, platformItem{NoticeItem: it, Platform: n.Platform, Ownership: n.Ownership})
		}
	}
	return out
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
