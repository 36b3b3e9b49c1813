package mail_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/trennwand/trennwand/mdm/mail"
)

// received is one message the test server took.
type received struct {
	from string
	to   []string
	data string
}

// backend is a local SMTP server that keeps what it receives.
type backend struct{ got chan received }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b   *backend
	msg received
}

func (s *session) Reset()        { s.msg = received{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.msg.data = string(b)
	s.b.got <- s.msg
	return err
}

// Server starts a local SMTP server without TLS and returns its address and what it
// receives.
func Server(t *testing.T) (string, <-chan received) {
	t.Helper()
	be := &backend{got: make(chan received, 10)}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), be.got
}

func TestASenderDeliversThroughSMTP(t *testing.T) {
	addr, got := Server(t)
	s, err := mail.New("smtp://"+addr+"?tls=none", "mdm@musterstadt.de")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: "anna@musterstadt.de", Subject: "Ihr Arbeitsbereich", Text: "Guten Tag Anna,\nhttps://mdm.musterstadt.de/e/CODE\n"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m.from != "mdm@musterstadt.de" || len(m.to) != 1 || m.to[0] != "anna@musterstadt.de" {
			t.Errorf("envelope %q → %v", m.from, m.to)
		}
		for _, want := range []string{"Subject: Ihr Arbeitsbereich", "https://mdm.musterstadt.de/e/CODE", "text/plain"} {
			if !strings.Contains(m.data, want) {
				t.Errorf("message lacks %q:\n%s", want, m.data)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message arrived")
	}
}

func TestASenderRefusesASMTPServerWithoutTLSUnlessTold(t *testing.T) {
	addr, _ := Server(t)
	s, err := mail.New("smtp://"+addr, "mdm@musterstadt.de")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "anna@musterstadt.de", Subject: "x", Text: "x"}); err == nil {
		t.Error("a message went out over a server that offers no STARTTLS")
	}
}

func TestSMTPSettings(t *testing.T) {
	good := []string{"smtp://mail.musterstadt.de", "smtp://user:secret@mail.musterstadt.de:2525", "smtps://u:p@mail.musterstadt.de", "smtp://relay:25?tls=none"}
	for _, u := range good {
		if _, err := mail.New(u, "mdm@musterstadt.de"); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	bad := map[string]string{"http://mail.musterstadt.de": "mdm@musterstadt.de", "smtp://": "mdm@musterstadt.de",
		"smtp://mail.musterstadt.de?tls=maybe": "mdm@musterstadt.de", "smtp://mail.musterstadt.de:99999": "mdm@musterstadt.de",
		"smtp://mail.musterstadt.de ": "", "smtp://mail.musterstadt.de/": "not an address"}
	for u, from := range bad {
		if _, err := mail.New(u, from); err == nil {
			t.Errorf("%s from %q was accepted", u, from)
		}
	}
}
