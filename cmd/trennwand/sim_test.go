package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/sim"
)

// simCount is how many phones of each platform the simulator test enrols; the 50
// of each run with -sim.count=50.
var simCount = flag.Int("sim.count", 10, "simulated phones per platform in TestSimulatedPhones…")

// demoServer starts `serve --demo` on a fresh site of the backend, with the public URL the
// simulated phones reach it at, and returns it with an admin token of the tenant default.
func demoServer(t *testing.T, backend string, extra ...string) (site, *server, string) {
	t.Helper()
	s := emptySite(t, backend)
	addr := freeAddr(t)
	// The later --addr wins over the one startServe picks; the tests' own simulated phones
	// are the only ones unless extra asks for the demo's.
	srv := startServe(t, append(s.flags, append([]string{"--addr", addr, "--public-url", "https://" + addr, "--demo", "--demo-devices", "0"}, extra...)...)...)
	srv.addr = addr
	srv.waitServing(t)
	var tok struct{ Token string }
	s.run(t, "token", "create", "--tenant", "default", "--role", "admin", "--name", "simulator", "--json").decode(t, &tok)
	return s, srv, tok.Token
}

// listedDevices returns the tenant default's devices as `device list` shows them.
func listedDevices(t *testing.T, s site) []struct{ Platform, State, Compliance string } {
	t.Helper()
	var list struct {
		Devices []struct{ Platform, State, Compliance string }
	}
	r := s.run(t, "device", "list", "--tenant", "default", "--json")
	r.wantCode(t, 0)
	r.decode(t, &list)
	return list.Devices
}

func TestSimulatedPhonesEnrolAndGetTheirWorkApps(t *testing.T) {
	n := *simCount
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			s, srv, token := demoServer(t, backend)
			for _, platform := range []string{"ios", "android"} {
				r := trennwand(t, "sim", platform, "--server", srv.url(""), "--token", token,
					"--count", strconv.Itoa(n), "--concurrency", "4", "--checkins", "2", "--json")
				r.wantCode(t, 0)
				var sum sim.Summary
				r.decode(t, &sum)
				if sum.Enrolled != n || sum.Configured != n || sum.Errors != 0 {
					t.Fatalf("sim %s: %+v; want all %d phones enrolled with their work apps", platform, sum, n)
				}
				if sum.EnrolmentsPerS <= 0 || sum.CheckinsPerS <= 0 || sum.P50ms <= 0 || sum.P99ms < sum.P50ms {
					t.Errorf("sim %s reports no figures: %+v", platform, sum)
				}
			}

			count := map[string]int{}
			for _, d := range listedDevices(t, s) {
				if d.State != "active" {
					t.Errorf("a simulated %s phone is %s, not active", d.Platform, d.State)
				}
				if d.Platform == "android" && d.Compliance != "compliant" {
					t.Errorf("a simulated Android phone is %s, not compliant", d.Compliance)
				}
				count[d.Platform]++
			}
			if count["ios"] != n || count["android"] != n {
				t.Errorf("devices listed: %v, want %d of each platform", count, n)
			}
			// Every iPhone has acknowledged the InstallApplication of the demo policy's app.
			var installed int64
			if err := s.store(t).Tables().DB().Table("ios_work_apps").Where("state = ? AND bundle_id = ?", "installed", demoMailIOS).
				Count(&installed).Error; err != nil || installed != int64(n) {
				t.Errorf("iPhones with the work mail app installed: %d (%v), want %d", installed, err, n)
			}
		})
	}
}

// Without being asked, the demo makes a few simulated phones enrol at start, so that a
// newcomer sees devices arrive in the first minute.
func TestTheDemoEnrolsSomePhonesByDefault(t *testing.T) {
	r := trennwand(t, "serve", "--help")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "--demo-devices int") || !strings.Contains(r.stdout, "(default 6)") {
		t.Errorf("serve --help:\n%s", r.stdout)
	}
}

func TestDemoDevicesEnrolInTheBackgroundAndWakeOnPushes(t *testing.T) {
	s, _, _ := demoServer(t, storetest.SQLite, "--demo-devices", "4")
	deadline := time.Now().Add(time.Minute)
	for {
		devices := listedDevices(t, s)
		active := 0
		for _, d := range devices {
			if d.State == "active" {
				active++
			}
		}
		// The iPhones check in only when the fake APNs wakes them: their apps arrive by push.
		var installed int64
		err := s.store(t).Tables().DB().Table("ios_work_apps").Where("state = ?", "installed").Count(&installed).Error
		if err == nil && active == 4 && installed == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo devices: %d of 4 active, %d iPhones with their app installed (%v): %s", active, installed, err, fmt.Sprint(devices))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
