package main

import (
	"maps"
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

// `device lock` orders a company-owned phone locked as a whole, with the reason on record,
// and prints the command; an employee's own phone is refused with the privacy matrix's
// reason, the exit code says so, and nothing is queued or recorded.
func TestDeviceLockLocksOnlyACompanyOwnedPhone(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		company := enrolOwnedDevice(t, s, "default", mdm.PlatformAndroid, mdm.OwnershipCompany, mdm.DeviceActive, t0)
		own := enrolDevice(t, s, "default", mdm.PlatformAndroid, mdm.DeviceActive, t0)
		st := s.store(t)
		tn, err := st.Tenants().TenantByName(t.Context(), "default")
		if err != nil {
			t.Fatal(err)
		}
		commandsOf := func(d mdm.Device) []mdm.Command {
			t.Helper()
			cmds, err := st.Commands().Commands(t.Context(), tn.ID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return cmds
		}

		before := s.auditEvents(t)
		r := s.run(t, "device", "lock", "--tenant", "default", own.ID, "--reason", "lost")
		r.wantCode(t, exitUsage)
		r.wantStderr(t, "employee's own")
		if r.stdout != "" || len(commandsOf(own)) != 0 {
			t.Errorf("locking an employee's own phone printed %q and queued %v", r.stdout, commandsOf(own))
		}
		if after := s.auditEvents(t); !maps.Equal(before, after) {
			t.Errorf("the refused lock recorded something: %v, then %v", before, after)
		}
		r = s.run(t, "device", "lock", "--tenant", "default", company.ID)
		r.wantCode(t, exitUsage)
		r.wantStderr(t, "reason")

		var out struct {
			ID, State, Command string
		}
		r = s.run(t, "device", "lock", "--tenant", "default", company.ID, "--reason", "left in the train", "--json")
		r.wantCode(t, 0)
		r.decode(t, &out)
		cmds := commandsOf(company)
		if len(cmds) != 1 || cmds[0].Kind != mdm.CommandLockDevice || out.Command != cmds[0].ID || out.ID != company.ID || out.State != string(mdm.DeviceActive) {
			t.Errorf("lock printed %+v; commands %+v", out, cmds)
		}
		r = s.run(t, "device", "lock", "--tenant", "default", company.ID, "--reason", "still lost")
		r.wantCode(t, 0)
		if !strings.Contains(r.stdout, "device "+company.ID+" is active; the command to lock the phone is queued") {
			t.Errorf("lock says %q", r.stdout)
		}
	})
}
