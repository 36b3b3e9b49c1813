package ios_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
)

// Erika enrols her own iPhone. She signs in with her managed Apple account in Settings; the
// phone finds the server, is sent to the sign-in page, where Erika enters the code of her
// invitation; the phone fetches its profile, gets its certificate over SCEP and makes
// contact with the MDM endpoints. The domain sees the device go from invited to enrolling
// to active, and nanomdm's tables hold the enrolment.
func TestAnEmployeeEnrolsTheirIPhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		const account = "erika.muster@musterstadt.example"
		code := s.invite(t, "erika@mail.musterstadt.example", account, mdm.PlatformIOS)
		p := s.newPhone(account)

		// Discovery names the BaseURL of each enrolment: User Enrolment's first.
		a := p.discover(t)
		var doc map[string][]map[string]string
		if a.StatusCode != http.StatusOK || a.Header.Get("Content-Type") != "application/json" || json.Unmarshal(a.body, &doc) != nil {
			t.Fatalf("discovery: HTTP %d %q %s", a.StatusCode, a.Header.Get("Content-Type"), a.body)
		}
		wantServers := map[string][]map[string]string{"Servers": {{"Version": "mdm-byod", "BaseURL": s.url + ios.PathEnrol},
			{"Version": "mdm-adde", "BaseURL": s.url + ios.PathEnrolDevice}}}
		if got, _ := json.Marshal(doc); string(got) != mustJSON(t, wantServers) {
			t.Fatalf("discovery answered %s, want %s", a.body, mustJSON(t, wantServers))
		}
		base := doc["Servers"][0]["BaseURL"]

		// Without a token the phone is sent to sign in.
		s.wantChallenge(t, p.postEnrol(t, base))

		// The sign-in page: a form with the field code, in German unless the phone asks for
		// English, which carries the account along.
		page := send(t, p.client, newRequest(t, http.MethodGet, s.url+ios.PathSignIn+"?user-identifier="+url.QueryEscape(account), nil))
		html := string(page.body)
		if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("sign-in page: HTTP %d %q", page.StatusCode, page.Header.Get("Content-Type"))
		}
		for _, want := range []string{`<html lang="de">`, `<label for="code">`, `id="code" name="code"`,
			`method="post"`, `value="` + account + `"`, "Einladungscode"} {
			if !strings.Contains(html, want) {
				t.Errorf("sign-in page lacks %s", want)
			}
		}
		english := newRequest(t, http.MethodGet, s.url+ios.PathSignIn+"?user-identifier="+url.QueryEscape(account), nil)
		english.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		if page := string(send(t, p.client, english).body); !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Invitation code") ||
			strings.Contains(page, "Einladungscode") {
			t.Errorf("the sign-in page for a phone in English:\n%s", page)
		}

		// A mistyped code shows the form again and changes nothing.
		before := s.snapshot(t)
		wrong := p.signIn(t, "AAAA"+code[4:])
		if wrong.StatusCode != http.StatusBadRequest || !strings.Contains(string(wrong.body), `role="alert"`) || !strings.Contains(string(wrong.body), `name="code"`) {
			t.Errorf("wrong code: HTTP %d, want 400 with the form and a message", wrong.StatusCode)
		}
		if after := s.snapshot(t); after != before {
			t.Errorf("a wrong code changed something:\nbefore %s\nafter  %s", before, after)
		}

		// The code, typed in lower case with a space, signs in: the phone gets its token,
		// the invitation is used and the device exists, invited.
		p.takeToken(t, p.signIn(t, strings.ToLower(code[:8])+" "+code[8:]))
		ds := s.devices(t)
		if len(ds) != 1 || ds[0].Platform != mdm.PlatformIOS || ds[0].State != mdm.DeviceInvited {
			t.Fatalf("devices after sign-in: %+v, want one invited iPhone", ds)
		}
		deviceID := ds[0].ID
		if again := p.signIn(t, code); again.StatusCode != http.StatusGone {
			t.Errorf("the used code again: HTTP %d, want 410", again.StatusCode)
		}

		// With the token, the signed profile; the SCEP challenge in it gets the certificate,
		// which names the device.
		p.profile = parseProfile(t, s, account, p.postEnrol(t, base))
		p.enrolCertificate(t)
		if id := p.cert.URIs; len(id) != 1 || id[0].String() != "trennwand://"+s.tenant.ID+"/enrolment/"+deviceID {
			t.Errorf("the certificate names %v, want the device %s", id, deviceID)
		}

		// Authenticate: first contact; the device is enrolling under the enrolment ID.
		if status := p.checkIn(t, p.authenticateMessage()); status != http.StatusOK {
			t.Fatalf("Authenticate: HTTP %d", status)
		}
		if d := s.device(t, deviceID); d.State != mdm.DeviceEnrolling || d.PlatformID != p.enrollmentID {
			t.Errorf("after Authenticate the device is %s under %q, want enrolling under %s", d.State, d.PlatformID, p.enrollmentID)
		}

		// TokenUpdate: the channel is complete; nanomdm has the enrolment, the device is active.
		if status := p.checkIn(t, p.tokenUpdateMessage()); status != http.StatusOK {
			t.Fatalf("TokenUpdate: HTTP %d", status)
		}
		if d := s.device(t, deviceID); d.State != mdm.DeviceActive {
			t.Errorf("after TokenUpdate the device is %s, want active", d.State)
		}
		var enabled bool
		var typ string
		if err := s.st.Tables().DB().Raw("SELECT enabled, type FROM ios_enrollments WHERE id = ?", p.enrollmentID).Row().Scan(&enabled, &typ); err != nil || !enabled {
			t.Errorf("ios_enrollments row of %s: enabled %v, %v", p.enrollmentID, enabled, err)
		}
		if typ != "User Enrollment (Device)" {
			t.Errorf("enrolment type %q, want a User Enrolment's device channel", typ)
		}
		if tally, err := s.nano.RetrieveTokenUpdateTally(context.Background(), p.enrollmentID); err != nil || tally != 1 {
			t.Errorf("TokenUpdate tally %d, %v", tally, err)
		}

		// An Idle check-in with nothing queued gets an empty answer.
		if status, cmd := p.report(t, "Idle", ""); status != http.StatusOK || cmd != nil {
			t.Errorf("Idle: HTTP %d, command %v", status, cmd)
		}

		// Once enrolled, no second profile for the same token.
		if a := p.postEnrol(t, base); a.StatusCode != http.StatusForbidden {
			t.Errorf("profile for an active enrolment: HTTP %d, want 403", a.StatusCode)
		}

		want := []string{"invitation.redeem", "device.enrol_begin", "device.enrol_complete"}
		if got := s.auditActions(t); !containsInOrder(got, want) {
			t.Errorf("audit trail %v lacks %v in order", got, want)
		}
	})
}

// A queued command reaches the enrolled phone at its next check-in, and its answer
// empties the queue.
func TestAnEnrolledPhoneReceivesItsCommands(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		p := s.enrolled(t, "jonas")
		cmd := newCommand(t, "ManagedApplicationList")
		if errs, err := s.platform.Enqueue(context.Background(), []string{p.enrollmentID}, cmd); err != nil || errs != nil {
			t.Fatalf("Enqueue: %v %v", errs, err)
		}
		status, got := p.report(t, "Idle", "")
		if status != http.StatusOK || got == nil || got.CommandUUID != cmd.CommandUUID || got.Command.RequestType != "ManagedApplicationList" {
			t.Fatalf("Idle: HTTP %d, command %+v", status, got)
		}
		if status, next := p.report(t, "Acknowledged", cmd.CommandUUID); status != http.StatusOK || next != nil {
			t.Errorf("Acknowledged: HTTP %d, next %+v", status, next)
		}
		if n := count(t, s, "ios_commands"); n != 0 {
			t.Errorf("%d commands left after the answer", n)
		}
	})
}

func newCommand(t testing.TB, requestType string) *apple.Command {
	t.Helper()
	cmd := &apple.Command{CommandUUID: strings.ToUpper(randomHex(16))}
	cmd.Command.RequestType = requestType
	raw, err := plist.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Raw = raw
	return cmd
}

func count(t testing.TB, s *site, table string) int {
	t.Helper()
	var n int
	if err := s.st.Tables().DB().Raw("SELECT COUNT(*) FROM " + table).Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// containsInOrder reports whether want appears in got in order, not necessarily adjacent.
func containsInOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
