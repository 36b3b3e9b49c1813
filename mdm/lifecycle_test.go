package mdm

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDeviceLifecycle(t *testing.T) {
	cases := []struct {
		from, to DeviceState
		allowed  bool
	}{
		{DeviceInvited, DeviceEnrolling, true},
		{DeviceEnrolling, DeviceActive, true},
		{DeviceActive, DeviceRemoving, true},
		{DeviceRemoving, DeviceRemoved, true},
		{DeviceInvited, DeviceRemoved, true},   // the employee gave up before the first contact
		{DeviceEnrolling, DeviceRemoved, true}, // an enrolment that never finished is cleaned up
		{DeviceInvited, DeviceActive, false},   // no device is active without enrolling
		{DeviceActive, DeviceEnrolling, false},
		{DeviceRemoving, DeviceActive, false},
		{DeviceRemoved, DeviceActive, false}, // removed is final: enrol again with a new invitation
		{DeviceRemoved, DeviceInvited, false},
		{DeviceActive, DeviceActive, false},
	}
	for _, c := range cases {
		if got := c.from.CanBecome(c.to); got != c.allowed {
			t.Errorf("%s → %s allowed = %v, want %v", c.from, c.to, got, c.allowed)
		}
	}
}

func TestCommandLifecycle(t *testing.T) {
	cases := []struct {
		from, to CommandState
		allowed  bool
	}{
		{CommandQueued, CommandSent, true},
		{CommandSent, CommandAcknowledged, true},
		{CommandSent, CommandError, true},
		{CommandQueued, CommandError, true},
		{CommandQueued, CommandAcknowledged, false}, // nothing is acknowledged that was never sent
		{CommandAcknowledged, CommandSent, false},   // a finished command is never sent again
		{CommandError, CommandQueued, false},
		{CommandSent, CommandSent, false}, // delivered at most once
	}
	for _, c := range cases {
		if got := c.from.CanBecome(c.to); got != c.allowed {
			t.Errorf("%s → %s allowed = %v, want %v", c.from, c.to, got, c.allowed)
		}
	}
}

// A private phone never gets an order that reaches beyond the work container.
func TestPrivateDeviceActionsCannotBeCommanded(t *testing.T) {
	for _, action := range []string{"erase_device", "wipe", "lost_mode", "activation_lock", "locate"} {
		_, err := ParseCommandKind(action)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "private phone") {
			t.Errorf("ParseCommandKind(%q) = %v; want a refusal that explains the privacy rule", action, err)
		}
	}
	if k, err := ParseCommandKind("remove_work_data"); err != nil || k != CommandRemoveWorkData {
		t.Errorf("remove_work_data: %v, %v", k, err)
	}
	if _, err := ParseCommandKind("reboot"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("reboot: %v", err)
	}
}

func TestInvitationStatus(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		name string
		inv  Invitation
		want InvitationStatus
	}{
		{"fresh", Invitation{ExpiresAt: future}, InvitationPending},
		{"expired", Invitation{ExpiresAt: past}, InvitationExpired},
		{"expires exactly now", Invitation{ExpiresAt: now}, InvitationExpired},
		{"used", Invitation{ExpiresAt: future, UsedAt: &past}, InvitationUsed},
		{"used, later expired", Invitation{ExpiresAt: past, UsedAt: &past}, InvitationUsed},
		{"revoked wins", Invitation{ExpiresAt: future, UsedAt: &past, RevokedAt: &past}, InvitationRevoked},
	}
	for _, c := range cases {
		if got := c.inv.Status(now); got != c.want {
			t.Errorf("%s: status %s, want %s", c.name, got, c.want)
		}
	}
}

func TestInvitationCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		code, hash := NewInvitationCode()
		// 32 base32 characters carry 160 bits; the issue asks for at least 128.
		if len(code) != 32 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("code %q is not 32 base32 characters", code)
		}
		if seen[code] {
			t.Fatalf("code %q repeated", code)
		}
		seen[code] = true
		if string(HashInvitationCode(code)) != string(hash) || strings.Contains(string(hash), code) {
			t.Fatalf("hash of %q does not match or contains the code", code)
		}
	}
}

func TestValidation(t *testing.T) {
	valid := []func() error{
		func() error { return ValidateTenantName("musterstadt") },
		func() error { return ValidateTenantName("kreis-x-2") },
		func() error { _, err := NormalizeEmail(" Anna.Berg@Musterstadt.DE "); return err },
		func() error { _, err := ParseRole("dpo"); return err },
		func() error { _, err := ParseInvitationPlatform(""); return err },
	}
	for i, f := range valid {
		if err := f(); err != nil {
			t.Errorf("valid case %d: %v", i, err)
		}
	}
	invalid := map[string]func() error{
		"upper-case tenant":     func() error { return ValidateTenantName("Musterstadt") },
		"tenant with space":     func() error { return ValidateTenantName("muster stadt") },
		"tenant ending with -":  func() error { return ValidateTenantName("muster-") },
		"empty tenant":          func() error { return ValidateTenantName("") },
		"64-character tenant":   func() error { return ValidateTenantName(strings.Repeat("a", 64)) },
		"e-mail with name":      func() error { _, err := NormalizeEmail("Anna <anna@example.org>"); return err },
		"no e-mail":             func() error { _, err := NormalizeEmail("anna"); return err },
		"unknown role":          func() error { _, err := ParseRole("root"); return err },
		"windows phone":         func() error { _, err := ParseInvitationPlatform("windows"); return err },
		"any is not a platform": func() error { _, err := ParsePlatform("any"); return err },
		"unknown device state":  func() error { _, err := ParseDeviceState("lost"); return err },
		"unknown install type":  func() error { _, err := ParseInstallType("forced"); return err },
		"policy without name":   func() error { return (&WorkPolicy{Name: "  "}).Validate() },
		"android app id with /": func() error {
			return (&AppAssignment{Platform: PlatformAndroid, AppID: "com/x", InstallType: InstallRequired}).Validate()
		},
		"android app one segment": func() error {
			return (&AppAssignment{Platform: PlatformAndroid, AppID: "mail", InstallType: InstallRequired}).Validate()
		},
	}
	for name, f := range invalid {
		if err := f(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

func TestWorkPolicyValidate(t *testing.T) {
	p := WorkPolicy{Name: " Verwaltung ", Apps: []AppAssignment{
		{Platform: PlatformAndroid, AppID: "com.example.mail", InstallType: InstallRequired, ManagedConfig: `{ "server": "mail.musterstadt.de" }`},
		{Platform: PlatformIOS, AppID: "de.example.messenger", InstallType: InstallAvailable},
	}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Verwaltung" || p.Apps[0].ManagedConfig != `{"server":"mail.musterstadt.de"}` || p.Apps[1].ManagedConfig != EmptyJSONObject {
		t.Fatalf("not normalised: %+v", p)
	}

	p.Apps = append(p.Apps, AppAssignment{Platform: PlatformAndroid, AppID: "com.example.mail", InstallType: InstallAvailable})
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "assigned twice") {
		t.Fatalf("duplicate app: %v", err)
	}

	p.Apps = []AppAssignment{{Platform: PlatformAndroid, AppID: "com.example.mail", InstallType: InstallRequired, ManagedConfig: `["not","an","object"]`}}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "com.example.mail") {
		t.Fatalf("bad managed configuration should name the app: %v", err)
	}
}
