package dashboard

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// readMail reads the work mail account's fields of the policy editor. The fields the
// chosen kind does not use are left out, so that switching from IMAP to Exchange needs no
// clearing; a port that is not a whole number is refused here, the rest by the domain
// (mdm.MailAccount.Validate).
func readMail(form url.Values) (mdm.MailAccount, *fieldMsg) {
	m := mdm.MailAccount{Kind: mdm.MailKind(form.Get("mail_kind")), Name: form.Get("mail_name"), Host: form.Get("mail_host")}
	if m.Kind != mdm.MailIMAP {
		return m, nil
	}
	m.SMTPHost = form.Get("mail_smtp_host")
	for _, f := range []struct {
		name string
		port *int
	}{{"mail_port", &m.Port}, {"mail_smtp_port", &m.SMTPPort}} {
		text := strings.TrimSpace(form.Get(f.name))
		if text == "" {
			continue
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			return m, &fieldMsg{ID: "refusal.mail_port", Data: map[string]any{"Port": text}}
		}
		*f.port = n
	}
	return m, nil
}

// mailRefusal is the domain's refusal of the mail account, to stand next to its fields;
// nil for a refusal of anything else.
func mailRefusal(err error) *fieldMsg {
	var refused *mdm.Refusal
	if !errors.As(err, &refused) || !strings.HasPrefix(refused.ID, "refusal.mail_") {
		return nil
	}
	data := make(map[string]any, len(refused.Args))
	for k, v := range refused.Args {
		data[k] = v
	}
	return &fieldMsg{ID: refused.ID, Data: data}
}
