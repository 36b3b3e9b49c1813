package ios_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/test/protocol"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/pki"
)

// attempt is one MDM request, put together by hand so that any part can be wrong.
type attempt struct {
	checkin bool
	body    []byte
	token   string
	// the certificate and key of the Mdm-Signature; none when cert is nil
	cert *x509.Certificate
	key  crypto.PrivateKey
	// what the signature covers, when not the body
	signed []byte
	// the header as sent, when not a signature made from the above
	header string
}

// as returns an attempt of the phone: its token, signed with its certificate.
func (p *phone) as(checkin bool, body []byte) attempt {
	return attempt{checkin: checkin, body: body, token: p.token, cert: p.cert, key: p.key}
}

func (p *phone) try(t testing.TB, a attempt) answer {
	t.Helper()
	url := p.profile.mdm.ServerURL
	if a.checkin {
		url = p.profile.mdm.CheckInURL
	}
	req := newRequest(t, http.MethodPut, url, a.body)
	if a.checkin {
		req.Header.Set("Content-Type", protocol.CheckInMIMEType)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	header := a.header
	if header == "" && a.cert != nil {
		signed := a.signed
		if signed == nil {
			signed = a.body
		}
		tr := protocol.NewTransport(protocol.WithIdentityProvider(func(context.Context) (*x509.Certificate, crypto.PrivateKey, error) {
			return a.cert, a.key, nil
		}))
		var err error
		if header, err = tr.SignMessage(context.Background(), signed); err != nil {
			t.Fatal(err)
		}
	}
	if header != "" {
		req.Header.Set(protocol.MDMSignatureHeader, header)
	}
	return send(t, p.client, req)
}

func mustPlist(t testing.TB, v any) []byte {
	t.Helper()
	b, err := plist.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Requests that are wrong in one part each are refused with the status nanomdm and the
// account-driven enrolment prescribe — 401 for the token, 400 for the certificate and the
// message, 413 for the size — and change nothing: no row of nanomdm's, no device state,
// no audit event.
func TestBadMDMRequestsAreRefusedAndChangeNothing(t *testing.T) {
	type setup func(t *testing.T, s *site) (*phone, attempt)
	// beforeContact cases use a phone that has its certificate but has not authenticated;
	// afterEnrolment cases one that is enrolled.
	beforeContact := func(build func(t *testing.T, s *site, p *phone) attempt) setup {
		return func(t *testing.T, s *site) (*phone, attempt) {
			p := s.certified(t, "anna")
			return p, build(t, s, p)
		}
	}
	afterEnrolment := func(build func(t *testing.T, s *site, p *phone) attempt) setup {
		return func(t *testing.T, s *site) (*phone, attempt) {
			p := s.enrolled(t, "anna")
			return p, build(t, s, p)
		}
	}
	authenticate := func(t *testing.T, p *phone) []byte { return mustPlist(t, p.authenticateMessage()) }
	cases := []struct {
		name   string
		setup  setup
		status int
		// what the answer says, for refusals at the edge that say why
		because string
	}{
		{"no bearer token", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.token = ""
			return a
		}), http.StatusUnauthorized, ""},
		{"a wrong bearer token", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.token = otherToken(p.token)
			return a
		}), http.StatusUnauthorized, ""},
		{"a bearer token that is no token", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.token = p.token + "'; DROP TABLE devices; --"
			return a
		}), http.StatusUnauthorized, ""},
		{"no Mdm-Signature", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.cert = nil
			return a
		}), http.StatusBadRequest, "no Mdm-Signature header"},
		{"a signature of another body", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.signed = mustPlist(t, p.tokenUpdateMessage())
			return a
		}), http.StatusBadRequest, "digest mismatch"},
		{"a signature that is no CMS", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.header = "MIIB" + "AAAA"
			return a
		}), http.StatusBadRequest, "Mdm-Signature"},
		{"a certificate from another CA", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(true, authenticate(t, p))
			a.key, a.cert = selfSigned(t, "not from this CA")
			return a
		}), http.StatusBadRequest, "not a valid device certificate of this CA"},
		{"the certificate of another enrolment", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			other := s.certified(t, "bernd")
			a := p.as(true, authenticate(t, p))
			a.cert, a.key = other.cert, other.key
			return a
		}), http.StatusBadRequest, "another enrolment than the token"},
		{"a revoked certificate", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			if err := s.ca.Revoke(context.Background(), p.cert.SerialNumber.String(), pki.ReasonKeyCompromise, "lost"); err != nil {
				t.Fatal(err)
			}
			return p.as(true, authenticate(t, p))
		}), http.StatusBadRequest, "revoked"},
		{"a malformed plist", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(true, []byte("<?xml version=\"1.0\"?><plist><dict><key>MessageType</key>"))
		}), http.StatusBadRequest, ""},
		{"an unknown message type", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(true, mustPlist(t, map[string]string{"MessageType": "Erase", "EnrollmentID": p.enrollmentID}))
		}), http.StatusBadRequest, ""},
		{"a device enrolment's Authenticate (UDID)", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(true, mustPlist(t, &apple.Authenticate{Enrollment: apple.Enrollment{UDID: "00008110-000A1B2C3D4E5F6A"},
				MessageType: apple.MessageType{MessageType: "Authenticate"}, Topic: testTopic}))
		}), http.StatusBadRequest, ""},
		{"an Authenticate with a serial number", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			m := p.authenticateMessage()
			m.SerialNumber = "F2LXK0AAHG7F"
			return p.as(true, mustPlist(t, m))
		}), http.StatusBadRequest, ""},
		{"a TokenUpdate before Authenticate", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(true, mustPlist(t, p.tokenUpdateMessage()))
		}), http.StatusBadRequest, ""},
		{"a command report before Authenticate", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(false, mustPlist(t, &apple.CommandResults{Enrollment: p.enrollment(), Status: "Idle"}))
		}), http.StatusBadRequest, ""},
		{"an oversized body", beforeContact(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(false, bytes.Repeat([]byte("A"), 1<<20+1))
		}), http.StatusRequestEntityTooLarge, ""},
		{"a TokenUpdate of an unknown enrolment", afterEnrolment(func(t *testing.T, s *site, p *phone) attempt {
			m := p.tokenUpdateMessage()
			m.EnrollmentID = "UNKNOWN-" + p.enrollmentID
			return p.as(true, mustPlist(t, m))
		}), http.StatusBadRequest, ""},
		{"a command report of an unknown enrolment", afterEnrolment(func(t *testing.T, s *site, p *phone) attempt {
			return p.as(false, mustPlist(t, &apple.CommandResults{Enrollment: apple.Enrollment{EnrollmentID: "UNKNOWN"}, Status: "Idle"}))
		}), http.StatusBadRequest, ""},
		{"an active enrolment authenticating under a new ID", afterEnrolment(func(t *testing.T, s *site, p *phone) attempt {
			m := p.authenticateMessage()
			m.EnrollmentID = "NEW-" + p.enrollmentID
			return p.as(true, mustPlist(t, m))
		}), http.StatusBadRequest, ""},
		{"an Idle check-in with a wrong bearer token", afterEnrolment(func(t *testing.T, s *site, p *phone) attempt {
			a := p.as(false, mustPlist(t, &apple.CommandResults{Enrollment: p.enrollment(), Status: "Idle"}))
			a.token = otherToken(p.token)
			return a
		}), http.StatusUnauthorized, ""},
	}
	eachBackend(t, func(t *testing.T, s *site) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p, a := c.setup(t, s)
				before := s.snapshot(t)
				got := p.try(t, a)
				if got.StatusCode != c.status {
					t.Errorf("HTTP %d (%s), want %d", got.StatusCode, bytes.TrimSpace(got.body), c.status)
				}
				if !bytes.Contains(got.body, []byte(c.because)) {
					t.Errorf("the answer %q does not say %q", got.body, c.because)
				}
				if c.status == http.StatusUnauthorized {
					s.wantChallenge(t, got)
				}
				if after := s.snapshot(t); after != before {
					t.Errorf("the refused request changed something:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

// otherToken returns a token that differs from token in its first character, so that it
// is always a wrong one.
func otherToken(token string) string {
	if strings.HasPrefix(token, "x") {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
