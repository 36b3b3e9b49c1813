package dashboard

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui"
)

// Sentence says an audit event in words, in the localizer's language: who did it, in
// which role, what, to whom or to which setting, and why when the event says. Parties are
// named as the trail's statement names them (trail.Service.Describe); identifiers never
// appear in the sentence. The localizer must hold the dashboard's messages (Catalog).
func Sentence(l *ui.Localizer, st audit.Statement) string {
	data := map[string]any{
		"Actor":   actorPhrase(l, st.Actor),
		"Subject": subjectPhrase(l, st.Subject),
	}
	switch st.Action {
	case audit.DeviceCommand, audit.DeviceReportLost:
		data["Command"] = commandName(l, st.Field("kind"))
	case audit.DataProtectionDocument:
		doc := dataprotection.Document(st.Field("document"))
		data["Document"] = st.Field("document")
		if slices.Contains(dataprotection.Documents, doc) {
			data["Document"] = l.T("dpo.document." + string(doc))
		}
	case audit.DeviceBulk, audit.DeviceExport:
		data["Count"] = st.Field("count")
		data["Action"] = l.T("audit.bulk.other")
		if a := st.Field("action"); slices.Contains([]string{"move", "remove_work_data", "resend_invitation", "export"}, a) {
			data["Action"] = l.T("audit.bulk." + a)
		}
	case audit.AuditExport:
		data["Format"] = strings.ToUpper(st.Field("format"))
		data["Range"] = l.T("audit.range", map[string]any{
			"From": dateOr(l, st.FieldTime("from"), "audit.range.start"),
			"To":   dateOr(l, lastDay(st.FieldTime("to")), "audit.range.end"),
		})
	}
	s := l.T("audit.event."+string(st.Action), data)
	if st.Reason != "" {
		s += " " + l.T("audit.reason", map[string]any{"Reason": l.ComplianceReason(st.Reason)})
	}
	return upperFirst(s, st.Actor.Name, st.Subject.Name, st.Subject.Owner)
}

// actorPhrase names who acted, as the subject of a sentence.
func actorPhrase(l *ui.Localizer, p audit.Party) string {
	switch p.Kind {
	case audit.Admin, audit.Token:
		if p.Name == "" {
			return l.T("audit.actor." + string(p.Kind) + "_unknown")
		}
		return l.T("audit.actor."+string(p.Kind), map[string]any{"Name": p.Name, "Role": roleName(l, p.Role)})
	case audit.Device, audit.Employee:
		return subjectPhrase(l, p)
	case audit.ActorSystem, audit.ActorClient:
		return l.T("audit.actor." + string(p.Kind))
	case audit.ActorCLI, audit.ActorPlatform:
		return l.T("audit.actor."+string(p.Kind), map[string]any{"Name": p.ID})
	}
	return l.T("audit.actor.client")
}

// subjectPhrase names what an event concerns, as the object of a sentence.
func subjectPhrase(l *ui.Localizer, p audit.Party) string {
	if p.Removed {
		return l.T("audit.removed." + string(p.Kind))
	}
	switch p.Kind {
	case audit.Device:
		device := l.T("audit.device.any")
		if p.Platform == string(mdm.PlatformAndroid) || p.Platform == string(mdm.PlatformIOS) {
			device = l.T("audit.device." + p.Platform)
		}
		if p.Owner == "" {
			return device
		}
		return l.T("audit.subject.device", map[string]any{"Device": device, "Owner": p.Owner})
	case audit.Invitation:
		if p.Owner == "" {
			return l.T("audit.subject.invitation_unknown")
		}
		return l.T("audit.subject.invitation", map[string]any{"Owner": p.Owner})
	case audit.Employee, audit.Admin, audit.Token, audit.WorkPolicy, audit.Tenant:
		if p.Name == "" {
			return l.T("audit.subject." + string(p.Kind) + "_unknown")
		}
		return l.T("audit.subject."+string(p.Kind), map[string]any{"Name": p.Name, "Role": roleName(l, p.Role)})
	case audit.Certificate, audit.Enrolment:
		return l.T("audit.subject." + string(p.Kind))
	}
	return l.T("audit.subject.none")
}

// roleName is a role's name in the reader's language; a role without one keeps its own.
func roleName(l *ui.Localizer, role string) string {
	if role == "" {
		return "—"
	}
	if s := l.T("role." + role); s != "role."+role {
		return s
	}
	return role
}

// commandName is a command's name in the reader's language.
func commandName(l *ui.Localizer, kind string) string {
	if s := l.T("audit.command." + kind); s != "audit.command."+kind {
		return s
	}
	return kind
}

// dateOr is the day of t, or the text with the ID when t is zero.
func dateOr(l *ui.Localizer, t time.Time, id string) string {
	if t.IsZero() {
		return l.T(id)
	}
	return t.UTC().Format(time.DateOnly)
}

// lastDay is the day an exclusive end of a range ends on: midnight ends the day before.
func lastDay(end time.Time) time.Time {
	if !end.IsZero() && end.Equal(end.Truncate(24*time.Hour)) {
		return end.Add(-time.Nanosecond)
	}
	return end
}

// upperFirst begins a sentence with a capital, whichever phrase opens it, unless it opens
// with a name, which is written as its owner writes it (an address, "trennwand").
func upperFirst(s string, names ...string) string {
	for _, name := range append(names, "trennwand") {
		if name != "" && strings.HasPrefix(s, name) {
			return s
		}
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
