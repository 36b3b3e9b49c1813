package mdm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// A mail account is normalised where that is safe and refused with the field at fault
// otherwise.
func TestMailAccountValidate(t *testing.T) {
	cases := []struct {
		name    string
		in      mdm.MailAccount
		want    mdm.MailAccount
		refusal string // the refusal's message ID, "" when taken
	}{
		{"no account at all, whatever was typed", mdm.MailAccount{Name: "x", Host: "h", Port: 7}, mdm.MailAccount{}, ""},
		{"Exchange with a trimmed, lower-cased host", mdm.MailAccount{Kind: mdm.MailExchange, Name: " Rathaus ", Host: " Mail.Musterstadt.DE. "},
			mdm.MailAccount{Kind: mdm.MailExchange, Name: "Rathaus", Host: "mail.musterstadt.de"}, ""},
		{"IMAP takes the default ports and its host for outgoing mail", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "Bauhof", Host: "imap.musterstadt.de"},
			mdm.MailAccount{Kind: mdm.MailIMAP, Name: "Bauhof", Host: "imap.musterstadt.de", Port: 993, SMTPHost: "imap.musterstadt.de", SMTPPort: 587}, ""},
		{"IMAP on an address with ports of its own", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "Bauhof", Host: "10.1.2.3", Port: 143, SMTPHost: "smtp.musterstadt.de", SMTPPort: 25},
			mdm.MailAccount{Kind: mdm.MailIMAP, Name: "Bauhof", Host: "10.1.2.3", Port: 143, SMTPHost: "smtp.musterstadt.de", SMTPPort: 25}, ""},
		{"an unknown kind", mdm.MailAccount{Kind: "pop", Name: "x", Host: "h"}, mdm.MailAccount{}, "refusal.mail_kind"},
		{"no name", mdm.MailAccount{Kind: mdm.MailExchange, Host: "mail.musterstadt.de"}, mdm.MailAccount{}, "refusal.mail_name"},
		{"a name too long", mdm.MailAccount{Kind: mdm.MailExchange, Name: strings.Repeat("n", 101), Host: "m"}, mdm.MailAccount{}, "refusal.mail_name"},
		{"no host", mdm.MailAccount{Kind: mdm.MailExchange, Name: "x"}, mdm.MailAccount{}, "refusal.mail_host"},
		{"a URL for a host", mdm.MailAccount{Kind: mdm.MailExchange, Name: "x", Host: "https://mail.musterstadt.de"}, mdm.MailAccount{}, "refusal.mail_host"},
		{"a host with its port", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "x", Host: "imap.musterstadt.de:993"}, mdm.MailAccount{}, "refusal.mail_host"},
		{"a label with an underscore", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "x", Host: "mail_server.musterstadt.de"}, mdm.MailAccount{}, "refusal.mail_host"},
		{"a bad outgoing host", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "x", Host: "imap.musterstadt.de", SMTPHost: "smtp..musterstadt.de"}, mdm.MailAccount{}, "refusal.mail_host"},
		{"a port out of range", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "x", Host: "h", Port: 65536}, mdm.MailAccount{}, "refusal.mail_port"},
		{"a negative outgoing port", mdm.MailAccount{Kind: mdm.MailIMAP, Name: "x", Host: "h", SMTPPort: -25}, mdm.MailAccount{}, "refusal.mail_port"},
		{"Exchange with a port", mdm.MailAccount{Kind: mdm.MailExchange, Name: "x", Host: "h", Port: 443}, mdm.MailAccount{}, "refusal.mail_exchange_port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.in
			err := got.Validate()
			var refused *mdm.Refusal
			switch {
			case c.refusal == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.refusal == "" && got != c.want:
				t.Errorf("got %+v, want %+v", got, c.want)
			case c.refusal != "" && (!errors.As(err, &refused) || refused.ID != c.refusal || !errors.Is(err, mdm.ErrInvalid)):
				t.Errorf("error %v, want the refusal %s", err, c.refusal)
			}
		})
	}
}

// Whatever the form or the API sends, Validate refuses it with ErrInvalid or takes it as
// an account that validates again unchanged, whose hosts carry no scheme, port or path.
func FuzzMailAccountValidate(f *testing.F) {
	f.Add("exchange", "Rathaus", "mail.musterstadt.de", 0, "", 0)
	f.Add("imap", " Bauhof ", "IMAP.Musterstadt.de.", 143, "", 70000)
	f.Add("imap", "x", "::1", 993, "https://smtp", 587)
	f.Add("", "x", "y", 1, "z", 2)
	f.Fuzz(func(t *testing.T, kind, name, host string, port int, smtpHost string, smtpPort int) {
		m := mdm.MailAccount{Kind: mdm.MailKind(kind), Name: name, Host: host, Port: port, SMTPHost: smtpHost, SMTPPort: smtpPort}
		if err := m.Validate(); err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		again := m
		if err := again.Validate(); err != nil || again != m {
			t.Fatalf("%+v validates to %+v (%v)", m, again, err)
		}
		for _, h := range []string{m.Host, m.SMTPHost} {
			if strings.ContainsAny(h, "/@ ") {
				t.Fatalf("host %q taken", h)
			}
		}
	})
}
