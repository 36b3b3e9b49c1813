package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/demo"
)

// demoMailIOS is the iOS work app of the demo's sample policy.
const demoMailIOS = demo.MailIOS

func TestDemoModeIsReadyWithoutGoogleOrApple(t *testing.T) {
	s := emptySite(t, "sqlite")
	// Without the demo's phones: this test stops the server right after it serves, while
	// they would be in their first requests (see TestDemoDevicesEnrol… for them).
	first := startServe(t, append(s.flags, "--demo", "--demo-devices", "0")...)
	first.waitServing(t)
	if status, body := get(t, first.url("/readyz")); status != http.StatusOK {
		t.Fatalf("GET /readyz: %d %s", status, body)
	}
	if status, body := get(t, first.url("/ui/signin")); status != http.StatusOK || !strings.Contains(body, `class="demo"`) {
		t.Errorf("the dashboard's sign-in page shows no demo banner: %d\n%s", status, body)
	}
	if code := first.stop(t); code != 0 {
		t.Fatalf("serve --demo exited with %d", code)
	}
	if !strings.Contains(first.stderr.String(), "DEMO MODE") {
		t.Errorf("the log does not say that this is a demo:\n%s", first.stderr)
	}
	if strings.Contains(first.stderr.String(), "Android is off") {
		t.Errorf("demo mode runs without Android:\n%s", first.stderr)
	}

	st := s.store(t)
	tn, err := st.Tenants().TenantByName(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Policies().DefaultWorkPolicy(t.Context(), tn.ID)
	if err != nil || len(p.Apps) != 3 || p.CopyPasteToPersonal {
		t.Fatalf("demo policy %+v, %v; want the sample policy with three apps, copy-paste to personal blocked", p, err)
	}
	var bound int64
	if err := st.Tables().DB().Table("android_enterprises").Where("tenant_id = ?", tn.ID).Count(&bound).Error; err != nil || bound != 1 {
		t.Fatalf("Android bindings of the demo tenant: %d, %v", bound, err)
	}
	r := s.run(t, "apple", "push-cert", "show", "--tenant", "default", "--json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, demo.PushTopic) {
		t.Fatalf("push certificate: %s", r.stdout)
	}

	// A second start finds the installation ready and binds the new fake again.
	second := startServe(t, append(s.flags, "--demo", "--demo-devices", "0")...)
	second.waitServing(t)
	if status, _ := get(t, second.url("/readyz")); status != http.StatusOK {
		t.Fatalf("second start: /readyz %d", status)
	}
	second.stop(t)
}
