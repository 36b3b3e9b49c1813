package mdm

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// MailKind is how a work mail account reaches its server.
type MailKind string

// The kinds of work mail account; MailNone is a policy without one.
const (
	MailNone     MailKind = ""
	MailExchange MailKind = "exchange" // Exchange ActiveSync
	MailIMAP     MailKind = "imap"     // IMAP for incoming, SMTP for outgoing mail
)

// MailKinds lists the kinds of account in the order an editor offers them.
var MailKinds = []MailKind{MailExchange, MailIMAP}

// The ports an IMAP account uses when the policy names none: IMAP over TLS and mail
// submission.
const (
	DefaultIMAPPort = 993
	DefaultSMTPPort = 587
)

// MailAccount is the work mail account a policy sets up in the work container. It holds
// what is the same for every employee; the address and the name on the account come from
// each employee's record on the device, never from the policy. An Exchange account signs
// in with a certificate of the installation's CA, which each device gets for itself.
type MailAccount struct {
	Kind MailKind `gorm:"column:mail_kind"`
	// Name is the account's name in the phone's Mail app.
	Name string `gorm:"column:mail_name"`
	// Host is the Exchange server, or the IMAP server.
	Host string `gorm:"column:mail_host"`
	// Port is the IMAP server's port (Exchange is reached on 443); SMTPHost and SMTPPort
	// are the outgoing server of an IMAP account.
	Port     int    `gorm:"column:mail_port"`
	SMTPHost string `gorm:"column:mail_smtp_host"`
	SMTPPort int    `gorm:"column:mail_smtp_port"`
}

// Configured reports whether the policy has a work mail account.
func (m MailAccount) Configured() bool { return m.Kind != MailNone }

// hostLabel is one label of a DNS name.
var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate checks the account and normalises it: without a kind, the account is none at
// all, whatever else was filled in; names are trimmed, hosts lower-cased; an IMAP
// account's empty ports and outgoing host take their defaults (DefaultIMAPPort,
// DefaultSMTPPort, the incoming host). Each refusal names the field at fault.
func (m *MailAccount) Validate() error {
	switch m.Kind {
	case MailNone:
		*m = MailAccount{}
		return nil
	case MailExchange, MailIMAP:
	default:
		return Refuse("refusal.mail_kind", fmt.Errorf("%w: mail account kind %q: use exchange or imap", ErrInvalid, m.Kind), "Kind", string(m.Kind))
	}
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" || len(m.Name) > 100 {
		return Refuse("refusal.mail_name", fmt.Errorf("%w: the mail account needs a name of 1 to 100 characters", ErrInvalid))
	}
	if err := checkText("the mail account's name", m.Name); err != nil {
		return err
	}
	var err error
	if m.Host, err = mailHost("host", m.Host); err != nil {
		return err
	}
	if m.Kind == MailExchange {
		if m.Port != 0 || m.SMTPHost != "" || m.SMTPPort != 0 {
			return Refuse("refusal.mail_exchange_port", fmt.Errorf("%w: an Exchange account takes no ports and no outgoing server: iPhones reach Exchange on 443", ErrInvalid))
		}
		return nil
	}
	if m.SMTPHost == "" {
		m.SMTPHost = m.Host
	}
	if m.SMTPHost, err = mailHost("smtp_host", m.SMTPHost); err != nil {
		return err
	}
	if m.Port, err = mailPort("port", m.Port, DefaultIMAPPort); err != nil {
		return err
	}
	m.SMTPPort, err = mailPort("smtp_port", m.SMTPPort, DefaultSMTPPort)
	return err
}

// mailHost checks a server's host: a DNS name or an IP address, without a scheme, port or
// path.
func mailHost(field, host string) (string, error) {
	h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	refuse := func(why string) error {
		return Refuse("refusal.mail_host", fmt.Errorf("%w: mail server %s %q: %s", ErrInvalid, field, host, why), "Host", host)
	}
	if h == "" {
		return "", refuse("a host name is needed")
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Zone() == "" {
		return a.String(), nil
	}
	if len(h) > 253 || strings.ContainsAny(h, ":/@ ") {
		return "", refuse("a host name such as mail.example.org, without scheme, port or path")
	}
	for label := range strings.SplitSeq(h, ".") {
		if !hostLabel.MatchString(label) {
			return "", refuse("a host name such as mail.example.org, without scheme, port or path")
		}
	}
	return h, nil
}

// mailPort checks a port; 0 takes the default.
func mailPort(field string, port, fallback int) (int, error) {
	if port == 0 {
		return fallback, nil
	}
	if port < 1 || port > 65535 {
		return 0, Refuse("refusal.mail_port", fmt.Errorf("%w: mail server %s %d: a port is a number from 1 to 65535", ErrInvalid, field, port),
			"Port", strconv.Itoa(port))
	}
	return port, nil
}
