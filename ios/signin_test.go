package ios_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// A code that cannot start an enrolment shows the form again, with the reason in German
// and English and the status that says it, and changes nothing: no device, no token, no
// invitation used.
func TestSignInRefusesCodesThatCannotEnrol(t *testing.T) {
	cases := []struct {
		name    string
		code    func(t *testing.T, s *site) string
		account string // what the phone signs in with
		status  int
		says    string
	}{
		{"an unknown code", func(t *testing.T, s *site) string { return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" },
			"anna@musterstadt.example", http.StatusBadRequest, "kennen wir nicht"},
		{"an empty code", func(t *testing.T, s *site) string { return "" },
			"anna@musterstadt.example", http.StatusBadRequest, "kennen wir nicht"},
		{"a used code", func(t *testing.T, s *site) string {
			code := s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", mdm.PlatformIOS)
			p := s.newPhone("anna@musterstadt.example")
			p.takeToken(t, p.signIn(t, code))
			return code
		}, "anna@musterstadt.example", http.StatusGone, "schon benutzt"},
		{"an expired code", func(t *testing.T, s *site) string {
			past := domain.New(s.st, testMasterKey(t), mdm.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) }))
			inv, err := past.Enrolment.Invite(context.Background(), "test", s.tenant, enrolment.InviteRequest{Email: "anna@mail.musterstadt.example",
				Platform: mdm.PlatformIOS, ManagedAppleID: "anna@musterstadt.example", Validity: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return inv.Code
		}, "anna@musterstadt.example", http.StatusGone, "abgelaufen"},
		{"a code for an Android phone", func(t *testing.T, s *site) string {
			return s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", mdm.PlatformAndroid)
		}, "anna@musterstadt.example", http.StatusBadRequest, "Android"},
		{"an employee without a managed Apple account, invited for either phone", func(t *testing.T, s *site) string {
			return s.invite(t, "otto@mail.musterstadt.example", "", mdm.PlatformAny)
		}, "otto@musterstadt.example", http.StatusBadRequest, "Apple Account"},
		{"a phone signing in with another account", func(t *testing.T, s *site) string {
			return s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", mdm.PlatformAny)
		}, "someone.else@musterstadt.example", http.StatusBadRequest, "Apple Account"},
	}
	eachBackend(t, func(t *testing.T, s *site) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				code := c.code(t, s)
				before := s.snapshot(t)
				a := s.newPhone(c.account).signIn(t, code)
				page := string(a.body)
				if a.StatusCode != c.status || a.Header.Get("Location") != "" {
					t.Errorf("HTTP %d to %q, want %d and the form", a.StatusCode, a.Header.Get("Location"), c.status)
				}
				for _, want := range []string{`role="alert"`, `name="code"`, `aria-invalid="true"`, c.says} {
					if !strings.Contains(page, want) {
						t.Errorf("the page lacks %s", want)
					}
				}
				if after := s.snapshot(t); after != before {
					t.Errorf("the refused code changed something:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}

// Two phones racing with one code: exactly one gets a token.
func TestACodeEnrolsOnePhoneOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		code := s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", mdm.PlatformIOS)
		statuses := make(chan int, 4)
		for range cap(statuses) {
			go func() {
				p := s.newPhone("anna@musterstadt.example")
				resp, err := p.client.PostForm(s.url+ios.PathSignIn, map[string][]string{"code": {code}})
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		won := 0
		for range cap(statuses) {
			switch st := <-statuses; st {
			case http.StatusPermanentRedirect:
				won++
			case http.StatusGone:
			default:
				t.Errorf("HTTP %d, want 308 or 410", st)
			}
		}
		if won != 1 || len(s.devices(t)) != 1 {
			t.Errorf("%d phones got a token and %d devices exist, want one of each", won, len(s.devices(t)))
		}
	})
}

// Service discovery offers the BaseURL for a well-formed managed Apple account and nothing
// for anything else.
func TestDiscovery(t *testing.T) {
	s := newSite(t, "sqlite")
	c := s.client()
	for _, id := range []string{"", "anna", "anna@", "@musterstadt.example", "anna@localhost", "anna@muster_stadt.example",
		"anna@-musterstadt.example", "Anna Muster <anna@musterstadt.example>", " anna@musterstadt.example"} {
		a := send(t, c, newRequest(t, http.MethodGet, s.url+ios.PathDiscovery+"?user-identifier="+urlQuery(id), nil))
		if a.StatusCode != http.StatusNotFound {
			t.Errorf("user-identifier %q: HTTP %d, want 404", id, a.StatusCode)
		}
	}
	if a := send(t, c, newRequest(t, http.MethodGet, s.url+ios.PathDiscovery, nil)); a.StatusCode != http.StatusNotFound {
		t.Errorf("no user-identifier: HTTP %d, want 404", a.StatusCode)
	}
	good := s.url + ios.PathDiscovery + "?user-identifier=" + urlQuery("anna.muster@verwaltung.musterstadt.example")
	if a := send(t, c, newRequest(t, http.MethodGet, good, nil)); a.StatusCode != http.StatusOK ||
		string(a.body) != `{"Servers":[{"Version":"mdm-byod","BaseURL":"`+s.url+`/apple/enrol"},`+
			`{"Version":"mdm-adde","BaseURL":"`+s.url+`/apple/enrol/device"}]}` {
		t.Errorf("HTTP %d %s", a.StatusCode, a.body)
	}
	if a := send(t, c, newRequest(t, http.MethodPost, good, nil)); a.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: HTTP %d, want 405", a.StatusCode)
	}
}

// Without an APNs topic the server cannot make a valid profile and says so, instead of
// handing out one that the phone would reject.
func TestNoProfileWithoutATopic(t *testing.T) {
	s := newSite(t, "sqlite")
	platform, err := ios.New(s.svc, s.ca, s.nano, ios.Config{PublicURL: mustURL(t, s.url), ProfileSigner: ios.TLSCertificate(s.tls, "")})
	if err != nil {
		t.Fatal(err)
	}
	p := s.newPhone("anna@musterstadt.example")
	p.takeToken(t, p.signIn(t, s.invite(t, "anna@mail.musterstadt.example", "anna@musterstadt.example", mdm.PlatformIOS)))
	// The tenant's push certificate is gone since (the portal tells the employee that IT
	// is still setting up; a phone that gets this far is answered 503).
	if err := s.st.Tables().DB().Exec("DELETE FROM ios_tenant_push WHERE tenant_id = ?", s.tenant.ID).Error; err != nil {
		t.Fatal(err)
	}
	rec := serve(platform.Handler(), newRequest(t, http.MethodPost, s.url+ios.PathEnrol, nil), p.token)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("HTTP %d, want 503", rec.Code)
	}
}
