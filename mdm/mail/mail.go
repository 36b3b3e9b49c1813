// Package mail sends trennwand's e-mail through the operator's SMTP server with
// github.com/wneessen/go-mail: invitations, handed to it by the job queue.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail: plain text, and HTML as an alternative when given.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages through one SMTP server.
type Sender struct {
	host string
	opts []gomail.Option
	from string
}

// New returns a sender for the server of rawURL, sending from the address from:
//
//   - smtp://user:password@host:587 — STARTTLS, required (the default port is 587);
//   - smtps://user:password@host:465 — TLS from the first byte;
//   - smtp://host:25?tls=none — no TLS at all, only for a relay on the same host or a
//     trusted network (and for tests).
//
// With a user name, the server's best offered mechanism is used for authentication.
func New(rawURL, from string) (*Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("SMTP URL: write smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	if from == "" {
		return nil, errors.New("SMTP: a sender address (mail-from) is needed")
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port := 587
	switch u.Scheme {
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	case "smtp":
		switch u.Query().Get("tls") {
		case "", "starttls":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "none":
			opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		default:
			return nil, fmt.Errorf("SMTP URL: tls=%q: use starttls or none", u.Query().Get("tls"))
		}
	default:
		return nil, fmt.Errorf("SMTP URL: scheme %q: use smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("SMTP URL: port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	s := &Sender{host: u.Hostname(), opts: opts, from: from}
	if _, err := s.client(); err != nil {
		return nil, err
	}
	if err := gomail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("sender address %q: %w", from, err)
	}
	return s, nil
}

func (s *Sender) client() (*gomail.Client, error) {
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s: %w", s.host, err)
	}
	return c, nil
}

// Send delivers one message, on a connection of its own.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("sender: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail to %s via %s: %w", m.To, s.host, err)
	}
	return nil
}
