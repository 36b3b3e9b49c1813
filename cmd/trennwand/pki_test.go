package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/mdm"
)

func TestPKIChallenge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		d := enrolDevice(t, s, mdm.DefaultTenant, mdm.PlatformIOS, mdm.DeviceEnrolling, time.Now())

		r := s.run(t, "pki", "challenge", "--tenant", "default", "--device", d.ID, "--public-url", "https://mdm.musterstadt.example", "--json")
		r.wantCode(t, 0)
		var out map[string]any
		r.decode(t, &out)
		if out["scep_url"] != "https://mdm.musterstadt.example/scep/devices" || out["enrolment_id"] != d.ID ||
			len(out["challenge"].(string)) < 26 {
			t.Fatalf("challenge output: %v", out)
		}
		before := s.auditEvents(t)["default"]

		// A new enrolment when no device is named.
		r = s.run(t, "pki", "challenge", "--tenant", "default", "--json")
		r.wantCode(t, 0)
		var fresh map[string]any
		r.decode(t, &fresh)
		if fresh["enrolment_id"] == d.ID || fresh["enrolment_id"] == "" {
			t.Fatalf("a challenge without --device must name a new enrolment: %v", fresh)
		}
		if s.auditEvents(t)["default"] != before+1 {
			t.Error("issuing a challenge was not audited")
		}

		for _, bad := range [][]string{
			{"pki", "challenge", "--tenant", "nowhere"},
			{"pki", "challenge", "--tenant", "default", "--device", "no-such-device"},
		} {
			r := s.run(t, bad...)
			r.wantCode(t, exitFailed)
		}
		if s.auditEvents(t)["default"] != before+1 {
			t.Error("a refused challenge left an audit event")
		}
	})
}

func TestPKIRevokeAndList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		// The server's own TLS certificate is the one certificate of a new installation.
		in, err := inst.Open(t.Context(), s.config(t), discardLog())
		if err != nil {
			t.Fatal(err)
		}
		ca, err := in.CA(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ca.ServerCertificate(t.Context(), t.TempDir()+"/s.crt", t.TempDir()+"/s.key", []string{"mdm.musterstadt.example"}); err != nil {
			t.Fatal(err)
		}
		_ = in.Close()

		r := s.run(t, "pki", "list", "--json")
		r.wantCode(t, 0)
		var list struct {
			Certificates []struct {
				Serial  string `json:"serial"`
				Subject string `json:"subject"`
				Revoked bool   `json:"revoked"`
			} `json:"certificates"`
		}
		r.decode(t, &list)
		if len(list.Certificates) == 0 {
			t.Fatal("pki list shows no certificate")
		}
		serial := list.Certificates[0].Serial

		s.run(t, "pki", "revoke", serial, "--reason", "test").wantCode(t, 0)
		r = s.run(t, "pki", "revoke", serial)
		r.wantCode(t, exitFailed)
		r.wantStderr(t, "revoked already")
		r = s.run(t, "pki", "list")
		r.wantCode(t, 0)
		if !strings.Contains(r.stdout, "revoked") {
			t.Fatalf("pki list does not show the revocation:\n%s", r.stdout)
		}
		s.run(t, "pki", "revoke", "12345678901234567890").wantCode(t, exitFailed)
		s.run(t, "pki", "revoke", "not-a-serial").wantCode(t, exitUsage)
		s.run(t, "pki", "list", "--device", "x").wantCode(t, exitUsage)
	})
}

func TestDeviceRemove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		d := enrolDevice(t, s, mdm.DefaultTenant, mdm.PlatformAndroid, mdm.DeviceActive, time.Now())
		r := s.run(t, "device", "remove", "--tenant", "default", d.ID, "--reason", "left", "--json")
		r.wantCode(t, 0)
		var out map[string]any
		r.decode(t, &out)
		if out["state"] != string(mdm.DeviceRemoving) {
			t.Fatalf("after removal: %v", out)
		}
		r = s.run(t, "device", "remove", "--tenant", "default", "no-such-device")
		r.wantCode(t, exitFailed)
		r.wantStderr(t, "no device")
	})
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
