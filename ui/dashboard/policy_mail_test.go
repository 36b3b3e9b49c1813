package dashboard

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// Every refusal of a mail account reads in German and English with the value it names,
// and stands next to the account's fields.
func TestEveryMailRefusalInBothLanguages(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	refused := []mdm.MailAccount{
		{Kind: "pop", Name: "x", Host: "h"},
		{Kind: mdm.MailIMAP, Host: "h"},
		{Kind: mdm.MailIMAP, Name: "x", Host: "https://h"},
		{Kind: mdm.MailIMAP, Name: "x", Host: "h", Port: 99999},
		{Kind: mdm.MailExchange, Name: "x", Host: "h", Port: 443},
	}
	for _, m := range refused {
		msg := mailRefusal(m.Validate())
		if msg == nil {
			t.Fatalf("%+v: no refusal of the mail account", m)
		}
		for _, lang := range []string{"de", "en"} {
			text := c.Localizer(lang).T(msg.ID, msg.Data)
			if text == msg.ID || strings.Contains(text, "<no value>") {
				t.Errorf("%s: %s reads %q", lang, msg.ID, text)
			}
		}
	}
	if mailRefusal(mdm.Refuse("refusal.policy_name", mdm.ErrInvalid)) != nil {
		t.Error("a refusal of the policy's name stands with the mail account")
	}
}

// Whatever a form sends, the editor reads a mail account that the domain takes or
// refuses as invalid, or refuses a port itself; it never panics.
func FuzzReadMail(f *testing.F) {
	f.Add("mail_kind=imap&mail_name=Bauhof&mail_host=imap.musterstadt.de&mail_port=143&mail_smtp_port=")
	f.Add("mail_kind=exchange&mail_name=Rathaus&mail_host=mail.musterstadt.de&mail_port=abc")
	f.Add("mail_kind=imap&mail_port=99999999999999999999")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		m, refused := readMail(form)
		if refused != nil {
			if refused.ID != "refusal.mail_port" {
				t.Fatalf("the form's own refusal is %s", refused.ID)
			}
			return
		}
		if err := m.Validate(); err != nil && !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("%+v: %v is not ErrInvalid", m, err)
		}
	})
}
