package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
)

func TestAppleVPPToken(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		dir := t.TempDir()
		write := func(name string, b []byte) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		expires := time.Now().Add(20 * 24 * time.Hour).UTC().Truncate(time.Second)
		valid := write("Musterstadt.vpptoken", vpp.EncodeToken("s3cret", "Stadt Musterstadt", expires))
		expired := write("old.vpptoken", vpp.EncodeToken("old", "Stadt Musterstadt", time.Now().Add(-time.Hour)))
		malformed := write("mail.txt", []byte("Dear IT, here is the token"))

		s.run(t, "apple", "vpp-token", "show", "--tenant", "default").wantCode(t, exitFailed)
		before := s.auditEvents(t)["default"]
		for _, file := range []string{expired, malformed, filepath.Join(dir, "missing.vpptoken")} {
			s.run(t, "apple", "vpp-token", "upload", "--tenant", "default", "--file", file).wantCode(t, exitUsage)
		}
		s.run(t, "apple", "vpp-token", "upload", "--tenant", "default").wantCode(t, exitUsage)
		if s.auditEvents(t)["default"] != before {
			t.Fatal("a refused upload left an audit event")
		}

		r := s.run(t, "apple", "vpp-token", "upload", "--tenant", "default", "--file", valid, "--json")
		r.wantCode(t, 0)
		var out struct {
			Organisation string    `json:"organisation"`
			ExpiresAt    time.Time `json:"expires_at"`
			Expiring     bool      `json:"expiring"`
		}
		r.decode(t, &out)
		if out.Organisation != "Stadt Musterstadt" || !out.ExpiresAt.Equal(expires) || !out.Expiring {
			t.Fatalf("upload printed %+v; want the organisation and the expiry, expiring within 30 days", out)
		}
		if s.auditEvents(t)["default"] != before+1 {
			t.Fatal("the upload was not audited")
		}
		r = s.run(t, "apple", "vpp-token", "show", "--tenant", "default")
		r.wantCode(t, 0)
		if !strings.Contains(r.stdout, "Stadt Musterstadt") || !strings.Contains(r.stdout, "expires within 30 days") {
			t.Fatalf("show printed %q", r.stdout)
		}
		r = s.run(t, "apple", "vpp-assets", "--tenant", "default", "--json")
		r.wantCode(t, 0)
		var assets struct{ Apps []any }
		r.decode(t, &assets)
		if assets.Apps == nil || len(assets.Apps) != 0 {
			t.Fatalf("before the first reading the catalogue is an empty list; got %s", r.stdout)
		}
	})
}

func TestTheDemoHasAnAppsAndBooksCatalogueWithTheSamplePolicysApp(t *testing.T) {
	s := emptySite(t, "sqlite")
	srv := startServe(t, append(s.flags, "--demo", "--demo-devices", "0")...)
	srv.waitServing(t)
	defer srv.stop(t)
	deadline := time.Now().Add(time.Minute)
	for {
		r := s.run(t, "apple", "vpp-assets", "--tenant", "default")
		r.wantCode(t, 0)
		if strings.Contains(r.stdout, demoMailIOS) && strings.Contains(r.stdout, "Dienst-Mail (Demo)") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo catalogue does not list the sample policy's iOS app:\n%s", r.stdout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
