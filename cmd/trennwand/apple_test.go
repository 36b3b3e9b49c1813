package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/apnsfake"
)

func TestApplePushCertificate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		dir := t.TempDir()
		topic := "com.apple.mgmt.External.6f1c0f9e-3a55-4f3e-8d7a-1b2c3d4e5f60"
		write := func(name string, b []byte) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		certPEM, keyPEM, err := apnsfake.PushCertificate(topic, time.Now().Add(200*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		_, otherKey, err := apnsfake.PushCertificate(topic, time.Now().Add(200*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		cert, key, wrongKey := write("push.pem", certPEM), write("push.key", keyPEM), write("other.key", otherKey)

		s.run(t, "apple", "push-cert", "show", "--tenant", "default").wantCode(t, exitFailed)
		before := s.auditEvents(t)["default"]
		for _, bad := range [][]string{
			{"apple", "push-cert", "upload", "--tenant", "default", "--cert", cert, "--key", wrongKey},
			{"apple", "push-cert", "upload", "--tenant", "default", "--cert", key, "--key", key},
			{"apple", "push-cert", "upload", "--tenant", "default", "--cert", cert},
			{"apple", "push-cert", "upload", "--tenant", "default", "--cert", filepath.Join(dir, "missing.pem"), "--key", key},
		} {
			s.run(t, bad...).wantCode(t, exitUsage)
		}
		if s.auditEvents(t)["default"] != before {
			t.Fatal("a refused upload left an audit event")
		}

		r := s.run(t, "apple", "push-cert", "upload", "--tenant", "default", "--cert", cert, "--key", key, "--json")
		r.wantCode(t, 0)
		var out struct {
			Topic    string    `json:"topic"`
			NotAfter time.Time `json:"not_after"`
			Expiring bool      `json:"expiring"`
		}
		r.decode(t, &out)
		if out.Topic != topic || out.Expiring || out.NotAfter.Before(time.Now().Add(199*24*time.Hour)) {
			t.Fatalf("upload printed %+v", out)
		}
		if s.auditEvents(t)["default"] != before+1 {
			t.Fatal("the upload was not audited")
		}
		r = s.run(t, "apple", "push-cert", "show", "--tenant", "default")
		r.wantCode(t, 0)
		if !strings.Contains(r.stdout, topic) || !strings.Contains(r.stdout, "valid") {
			t.Fatalf("show printed %q", r.stdout)
		}
	})
}
