package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	androidsim "github.com/trennwand/trennwand/android/phonesim"
	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/sim"
)

// portalStep is the step of the portal's progress the page marks as current, with its
// state in words.
var portalStep = regexp.MustCompile(`aria-current="step"><strong>([^<]+)</strong> – ([^<]+)`)

// setupPage opens the invitation's link and returns its current step and whether it
// reloads itself.
func setupPage(t *testing.T, srv *server, code string) (step string, refresh bool) {
	t.Helper()
	step, refresh, _ = setupPageText(t, srv, code)
	return step, refresh
}

// setupPageText is setupPage with the page's text.
func setupPageText(t *testing.T, srv *server, code string) (step string, refresh bool, text string) {
	t.Helper()
	resp, err := insecureClient.Get(srv.url("/e/" + code + "?lang=de"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := portalStep.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("setup page: %d\n%s", resp.StatusCode, body)
	}
	return m[1] + " – " + m[2], resp.Header.Get("Refresh") != "", regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(body), "")
}

// awaitStep waits until the setup page shows want as its current step, as the work apps
// arrive through the server's jobs.
func awaitStep(t *testing.T, srv *server, code, want string, nudge func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		step, _ := setupPage(t, srv, code)
		if step == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the setup page stays at %q, want %q", step, want)
		}
		if err := nudge(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A simulated iPhone and Android phone enrol on the running demo server with the real
// protocols; each employee's link shows the set-up from waiting for the phone to done,
// with the work apps as the phones report them, and stops reloading itself at the end.
func TestThePortalFollowsSimulatedPhonesThroughTheSetUp(t *testing.T) {
	s, srv, token := demoServer(t, storetest.SQLite)
	ctx := context.Background()
	roots, err := sim.Roots(ctx, io.Discard, srv.url(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	client := sim.PhoneClient(roots, 1)
	invite := func(platform, email string, more ...string) string {
		var inv createdInvitation
		r := s.run(t, append([]string{"invite", "create", "--tenant", "default", "--email", email, "--platform", platform, "--qr", "-", "--json"}, more...)...)
		r.wantCode(t, 0)
		r.decode(t, &inv)
		return inv.Code
	}
	acknowledge := func(code string, platform mdm.Platform) {
		form := url.Values{"platform": {string(platform)}, "notice_version": {mdm.NoticeVersion()}, "acknowledge": {"yes"}}
		res, err := insecureClient.PostForm(srv.url("/e/"+code+"/accept"), form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}

	t.Run("iPhone", func(t *testing.T) {
		code := invite("ios", "ben@musterstadt.de", "--apple-id", "ben@appleid.musterstadt.de")
		acknowledge(code, mdm.PlatformIOS)
		if step, refresh := setupPage(t, srv, code); step != "Ihr Telefon meldet sich – läuft gerade" || !refresh {
			t.Errorf("before the iPhone signs in: %q, reloading %v", step, refresh)
		}
		phone := iossim.New(iossim.Config{Server: srv.url(""), Client: client}, "ben@appleid.musterstadt.de")
		if err := phone.Enrol(ctx, code); err != nil {
			t.Fatal(err)
		}
		if step, refresh := setupPage(t, srv, code); step != "Dienst-Apps installiert: 0 von 1 – läuft gerade" || !refresh {
			t.Errorf("enrolled, before its first check-in: %q, reloading %v", step, refresh)
		}
		awaitStep(t, srv, code, "Fertig – erledigt", func() error { _, err := phone.Wake(ctx); return err })
		if _, refresh := setupPage(t, srv, code); refresh {
			t.Error("the page still reloads itself when done")
		}
	})
	t.Run("Android", func(t *testing.T) {
		code := invite("android", "anna@musterstadt.de")
		acknowledge(code, mdm.PlatformAndroid)
		if step, refresh := setupPage(t, srv, code); step != "Ihr Telefon meldet sich – läuft gerade" || !refresh {
			t.Errorf("before the phone enrols: %q, reloading %v", step, refresh)
		}
		phone := androidsim.New(androidsim.Config{Server: srv.url(""), Client: client, Token: token})
		if err := phone.Enrol(ctx, code); err != nil {
			t.Fatal(err)
		}
		awaitStep(t, srv, code, "Fertig – erledigt", func() error { return nil })
		if _, refresh, text := setupPageText(t, srv, code); refresh || !strings.Contains(text, "Dienst-Apps installiert: 2 von 2 – erledigt") {
			t.Errorf("done, reloading %v:\n%s", refresh, text)
		}
	})
}
