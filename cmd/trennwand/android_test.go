package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/android/amapifake"
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
		for _, bad := range [][]string{
			{"android", "bind", "--tenant", "default", "--enterprise", enterprise, "--amapi-endpoint", api.URL + "/"},
			{"android", "bind", "--tenant", "default", "--enterprise", "LC123", "--topic", "projects/trennwand-test/topics/trennwand-x", "--amapi-endpoint", api.URL + "/"},
		} {
			s.run(t, bad...).wantCode(t, exitUsage)
		}
	})
}
