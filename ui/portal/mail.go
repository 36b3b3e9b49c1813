package portal

import (
	"cmp"
	"strings"

	"github.com/trennwand/trennwand/mdm/enrolment"
)

// mailFields fill the texts of an invitation's e-mail.
type mailFields struct {
	Name, Tenant, Operator, URL, Expires string
}

// InvitationMail writes the e-mail of an invitation whose portal address is link: plain
// text, German first and English below, because an e-mail cannot ask the reader's
// browser which language it prefers.
func InvitationMail(m enrolment.InvitationMail, link string) (subject, text string, err error) {
	catalog, err := Catalog()
	if err != nil {
		return "", "", err
	}
	f := mailFields{Name: cmp.Or(m.Employee.Name, m.Employee.Email), Tenant: m.Tenant.DisplayName,
		Operator: cmp.Or(m.Tenant.OperatorName, m.Tenant.DisplayName), URL: link,
		Expires: m.Invitation.ExpiresAt.Format("02.01.2006")}
	var b strings.Builder
	for i, lang := range []string{"de", "en"} {
		l := catalog.Localizer(lang)
		if i > 0 {
			b.WriteString("\n-- English --\n\n")
		}
		for _, id := range []string{"mail.greeting", "mail.intro", "mail.link", "mail.expires", "mail.privacy", "mail.sender"} {
			b.WriteString(l.T(id, f))
			b.WriteString("\n\n")
		}
	}
	de, en := catalog.Localizer("de"), catalog.Localizer("en")
	return de.T("mail.subject", f) + " / " + en.T("mail.subject", f), strings.TrimSpace(b.String()) + "\n", nil
}
