package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// `trennwand android bind` binds a tenant to an existing enterprise through the API at
// --amapi-endpoint and prints the push URL with the tenant's secret.
func TestAndroidBind(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		fake := amapifake.New()
		api := httptest.NewServer(fake.Handler())
		t.Cleanup(api.Close)
		enterprise := fake.CreateEnterprise("Stadt Musterstadt")
		before := s.auditEvents(t)["default"]

		r := s.run(t, "android", "bind", "--tenant", "default", "--enterprise", enterprise,
			"--topic", "projects/trennwand-test/topics/trennwand-default", "--amapi-endpoint", api.URL+"/",
			"--public-url", "https://mdm.musterstadt.example", "--json")
		r.wantCode(t, 0)
		var out map[string]string
		r.decode(t, &out)
		if !strings.HasPrefix(out["pubsub_push_url"], "https://mdm.musterstadt.example/android/pubsub?token=") ||
			len(out["pubsub_push_url"]) < len("https://mdm.musterstadt.example/android/pubsub?token=")+40 {
			t.Errorf("push URL %q", out["pubsub_push_url"])
		}
		e, _ := fake.Enterprise(enterprise)
		if e.PubsubTopic != "projects/trennwand-test/topics/trennwand-default" || len(e.EnabledNotificationTypes) != 3 {
			t.Errorf("the enterprise's notifications: %q %v", e.PubsubTopic, e.EnabledNotificationTypes)
		}
		if s.auditEvents(t)["default"] != before+1 {
			t.Error("binding was not audited")
		}

		for _, bad := range [][]string{
			{"android", "bind", "--tenant", "default", "--enterprise", enterprise, "--topic", "projects/trennwand-test/topics/trennwand-x"},
			{"android", "bind", "--tenant", "default", "--enterprise", "enterprises/LCNONE", "--topic", "projects/trennwand-test/topics/trennwand-x", "--amapi-endpoint", api.URL + "/"},
		} {
			s.run(t, bad...).wantCode(t, exitFailed)
		}
		// A topic Google would refuse is refused with the part that is wrong and the rule.
		for topic, want := range map[string]string{
			"projects/x/topics/t":                "the project ID \"x\" breaks Google's rule: 6 to 30 characters",
			"projects/trennwand-test/topics/t":   "the topic ID \"t\" breaks Google's rule: 3 to 255 characters",
			"projects/trennwand-test/topic/tt":   "write projects/PROJECT/topics/TOPIC, for example",
			"projects/trennwand-test/topics/goo": "",
		} {
			r := s.run(t, "android", "bind", "--tenant", "default", "--enterprise", enterprise, "--topic", topic, "--amapi-endpoint", api.URL+"/")
			if want == "" {
				r.wantCode(t, 0)
				continue
			}
			r.wantCode(t, exitUsage)
			if !strings.Contains(r.stderr, want) {
				t.Errorf("--topic %s: %s", topic, r.stderr)
			}
		}
		for _, bad := range [][]string{
			{"android", "bind", "--tenant", "default", "--enterprise", enterprise, "--amapi-endpoint", api.URL + "/"},
			{"android", "bind", "--tenant", "default", "--enterprise", "LC123", "--topic", "projects/trennwand-test/topics/trennwand-x", "--amapi-endpoint", api.URL + "/"},
		} {
			s.run(t, bad...).wantCode(t, exitUsage)
		}
	})
}

// A server with the AMAPI configured takes Google's pushes at /android/pubsub for the
// tenants that are bound; one without it says that Android is off and has no such route.
func TestServeTakesAndroidPushes(t *testing.T) {
	s := emptySite(t, storetest.SQLite)
	fake := amapifake.New()
	api := httptest.NewServer(fake.Handler())
	t.Cleanup(api.Close)

	off := startServe(t, s.flags...)
	off.waitServing(t)
	if !off.stderr.Contains("Android is off") {
		t.Errorf("a server without AMAPI settings does not say that Android is off:\n%s", off.stderr)
	}
	if status, _ := post(t, off.url("/android/pubsub?token=x"), "{}"); status != http.StatusNotFound {
		t.Errorf("push to a server without Android: %d, want 404", status)
	}
	off.stop(t)

	on := startServe(t, append(s.flags, "--amapi-endpoint", api.URL+"/")...)
	on.waitServing(t)
	defer on.stop(t)
	r := s.run(t, "android", "bind", "--tenant", "default", "--enterprise", fake.CreateEnterprise("Musterstadt"),
		"--topic", "projects/trennwand-test/topics/trennwand-default", "--amapi-endpoint", api.URL+"/", "--json")
	r.wantCode(t, 0)
	var out map[string]string
	r.decode(t, &out)
	pushURL, err := url.Parse(out["pubsub_push_url"])
	if err != nil {
		t.Fatal(err)
	}
	test := `{"message":{"messageId":"1","data":"","attributes":{"test":"true"}}}`
	for _, c := range []struct {
		query  string
		status int
	}{
		{"", http.StatusUnauthorized},
		{"?token=wrong", http.StatusForbidden},
		{"?" + pushURL.RawQuery, http.StatusNoContent},
	} {
		if status, body := post(t, on.url("/android/pubsub"+c.query), test); status != c.status {
			t.Errorf("push with %q: %d %s, want %d", c.query, status, body, c.status)
		}
	}
}

// post sends a JSON body to a running server.
func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := insecureClient.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
