package dpo

import (
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// noticeParts are the parts of the privacy notice the service agreement repeats, by the
// key of the section that holds each: the agreement promises what the portal tells the
// employee, word for word.
var noticeParts = []struct {
	Key  string
	Part func(mdm.Notice) []mdm.NoticeItem
}{
	{"can_see", func(n mdm.Notice) []mdm.NoticeItem { return n.CanSee }},
	{"cannot_see", func(n mdm.Notice) []mdm.NoticeItem { return n.CannotSee }},
	{"can_do", func(n mdm.Notice) []mdm.NoticeItem { return n.CanDo }},
	{"cannot_do", func(n mdm.Notice) []mdm.NoticeItem { return n.CannotDo }},
}

// commandsText names every command kind a statement of the notices discloses, once.
func commandsText(ns []mdm.Notice, t texts) string {
	var names []string
	seen := map[mdm.CommandKind]bool{}
	for _, n := range ns {
		for _, it := range slices.Concat(n.CanSee, n.CanDo) {
			for _, k := range it.Commands {
				if !seen[k] {
					seen[k] = true
					names = append(names, t.Term("command", k))
				}
			}
		}
	}
	return strings.Join(names, ", ")
}

// agreement is the draft of the service agreement with the staff council
// (Dienstvereinbarung): what is collected and what never is, what IT can and cannot do,
// that nobody's behaviour or performance is monitored, who may see what, how long data
// is kept, the employee's rights, and how changes are announced.
func agreement(f dataprotection.DocumentFacts, t texts) document {
	rop := newProcessingView(f.RecordOfProcessing, t.Lang())
	d := document{Sections: []section{
		{Key: "subject", Heading: t.T("agreement.subject"), Paras: t.Numbered("agreement.subject")},
	}}
	for _, p := range noticeParts {
		s := section{Key: p.Key, Heading: t.T("agreement." + p.Key), Items: noticeTexts(f.Notices, t.Lang(), p.Part)}
		if p.Key == "can_do" {
			s.Paras = []string{t.T("agreement.commands", args("Commands", commandsText(f.Notices, t)))}
		}
		d.Sections = append(d.Sections, s)
	}
	roles := &table{Head: []string{t.T("agreement.role"), t.T("agreement.may")}}
	for _, r := range f.Roles {
		roles.Rows = append(roles.Rows, []string{t.Term("role", r.Role), permissionsText(r.Permissions, t)})
	}
	version := ""
	if len(f.Notices) > 0 {
		version = f.Notices[0].Version
	}
	d.Sections = append(d.Sections,
		section{Key: "monitoring", Heading: t.T("agreement.monitoring"), Paras: t.Numbered("agreement.monitoring")},
		section{Key: "roles", Heading: t.T("agreement.roles"), Paras: []string{t.T("agreement.roles.intro")}, Table: roles},
		section{Key: "retention", Heading: t.T("rop.retention"), Items: rop.Retention},
		section{Key: "rights", Heading: t.T("agreement.rights"), Items: t.Numbered("agreement.rights")},
		section{Key: "changes", Heading: t.T("agreement.changes"),
			Paras: append(t.Numbered("agreement.changes"), t.T("agreement.version", args("Version", version)))},
		section{Key: "final", Heading: t.T("agreement.final"), Paras: t.Numbered("agreement.final")},
	)
	return d
}
