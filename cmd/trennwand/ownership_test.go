package main

import (
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// `invite create --ownership` chooses whose phone is invited (the employee's own unless it
// says company), and nothing else is taken; `device list` shows each device's ownership,
// and `device wipe` erases only a company-owned phone.
func TestOwnershipOnTheCommandLine(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		var company, own struct {
			Ownership string `json:"ownership"`
		}
		r := s.run(t, "invite", "create", "--tenant", "default", "--email", "hof@musterstadt.de", "--ownership", "company", "--qr", "-", "--json")
		r.wantCode(t, 0)
		r.decode(t, &company)
		r = s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-", "--json")
		r.wantCode(t, 0)
		r.decode(t, &own)
		if company.Ownership != "company" || own.Ownership != "personal" {
			t.Errorf("invited %q and, without the flag, %q", company.Ownership, own.Ownership)
		}
		r = s.run(t, "invite", "create", "--tenant", "default", "--email", "ben@musterstadt.de", "--ownership", "borrowed", "--qr", "-")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "personal") || !strings.Contains(r.stderr, "company") {
			t.Errorf("the refusal does not say what to write: %q", r.stderr)
		}

		phone := enrolDevice(t, s, "default", mdm.PlatformAndroid, mdm.DeviceActive, t0)
		var list struct {
			Devices []struct {
				ID        string `json:"id"`
				Ownership string `json:"ownership"`
			} `json:"devices"`
		}
		r = s.run(t, "device", "list", "--tenant", "default", "--json")
		r.wantCode(t, 0)
		r.decode(t, &list)
		if len(list.Devices) != 1 || list.Devices[0].ID != phone.ID || list.Devices[0].Ownership != "personal" {
			t.Errorf("device list: %+v", list.Devices)
		}
		r = s.run(t, "device", "wipe", "--tenant", "default", phone.ID, "--reason", "lost")
		r.wantCode(t, exitUsage)
		if !strings.Contains(r.stderr, "employee's own") {
			t.Errorf("wiping an employee's own phone: %q", r.stderr)
		}
	})
}
