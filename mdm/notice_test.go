package mdm

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The privacy rules of the design, as the notice must state them on every platform: what
// is never collected from a private phone, and what is never sent to one.
var (
	neverCollected = []string{
		"cannot_see.personal_apps", "cannot_see.photos", "cannot_see.messages", "cannot_see.browsing",
		"cannot_see.location", "cannot_see.phone_number", "cannot_see.call_history",
		"cannot_see.hardware_ids", "cannot_see.wifi",
	}
	neverSent = map[string]string{
		"erase_device": "cannot_do.erase", "wipe": "cannot_do.erase", "device_wipe": "cannot_do.erase",
		"lost_mode": "cannot_do.lost_mode", "enable_lost_mode": "cannot_do.lost_mode",
		"locate": "cannot_do.lost_mode", "device_location": "cannot_do.lost_mode",
		"activation_lock": "cannot_do.activation_lock", "clear_activation_lock": "cannot_do.activation_lock",
	}
	// deviceBookkeeping are fields of Device that the server makes itself; every other
	// field holds something learnt from the phone and must be disclosed.
	deviceBookkeeping = []string{"ID", "TenantID", "EmployeeID", "InvitationID", "PlatformID", "CreatedAt", "UpdatedAt"}
)

func notices(t *testing.T) []Notice {
	t.Helper()
	var out []Notice
	for _, p := range []Platform{PlatformIOS, PlatformAndroid} {
		n, err := PrivacyNotice(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func ids(items []NoticeItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestNoticeSaysWhatIsNeverCollected(t *testing.T) {
	for _, n := range notices(t) {
		for _, id := range neverCollected {
			if !slices.Contains(ids(n.CannotSee), id) {
				t.Errorf("%s notice does not say the employer cannot see %s", n.Platform, id)
			}
		}
	}
}

func TestNoticeSaysWhatIsNeverSent(t *testing.T) {
	if len(neverSent) != len(privateDeviceActions) {
		t.Fatalf("the refused actions changed (%v): say in the notice what the employer cannot do", privateDeviceActions)
	}
	for _, n := range notices(t) {
		for _, action := range privateDeviceActions {
			item, ok := neverSent[action]
			if !ok || !slices.Contains(ids(n.CannotDo), item) {
				t.Errorf("%s notice does not say that %q is never done", n.Platform, action)
			}
			if _, err := ParseCommandKind(action); err == nil {
				t.Errorf("the notice promises %q is never done, but it is a command", action)
			}
		}
	}
}

func TestNoticeDisclosesEveryCommand(t *testing.T) {
	for _, n := range notices(t) {
		var disclosed, promised []CommandKind
		for _, it := range n.CanDo {
			promised = append(promised, it.Commands...)
		}
		// What a command shows may also reach the server in the platform's reports, so an
		// item of what can be seen may name a command the platform does not carry out.
		for _, it := range n.CanSee {
			disclosed = append(disclosed, it.Commands...)
		}
		disclosed = append(disclosed, promised...)
		for _, k := range commandKinds {
			impossible := !canOf(n.Platform).Carries(k)
			if !slices.Contains(disclosed, k) && !impossible {
				t.Errorf("%s notice does not tell the employee about command %s", n.Platform, k)
			}
			if slices.Contains(promised, k) && impossible {
				t.Errorf("%s notice promises command %s, which the platform cannot carry out", n.Platform, k)
			}
		}
		for _, k := range disclosed {
			if !slices.Contains(commandKinds, k) {
				t.Errorf("%s notice names command %s, which does not exist", n.Platform, k)
			}
		}
	}
}

func TestNoticeDisclosesEveryDeviceField(t *testing.T) {
	for _, n := range notices(t) {
		var disclosed []string
		for _, it := range n.CanSee {
			disclosed = append(disclosed, it.DeviceFields...)
		}
		for f := range reflect.TypeFor[Device]().Fields() {
			if !slices.Contains(deviceBookkeeping, f.Name) && !slices.Contains(disclosed, f.Name) {
				t.Errorf("Device.%s is stored but the %s notice does not say the employer can see it", f.Name, n.Platform)
			}
		}
	}
}

func TestNoticeNamesThePlatformsOwnAccountAndProfile(t *testing.T) {
	ios, _ := PrivacyNotice(PlatformIOS)
	android, _ := PrivacyNotice(PlatformAndroid)
	if !slices.Contains(ids(ios.CanSee), "can_see.managed_apple_account") || slices.Contains(ids(android.CanSee), "can_see.managed_apple_account") {
		t.Error("only the iPhone notice names the managed Apple account")
	}
	if !slices.Contains(ids(android.CanSee), "can_see.work_profile") {
		t.Error("the Android notice says that only the work profile reports")
	}
	if _, err := PrivacyNotice(PlatformAny); err == nil {
		t.Error("a notice for no particular platform was made")
	}
}

func TestNoticeIsWrittenInGermanAndEnglish(t *testing.T) {
	for _, n := range notices(t) {
		for _, it := range slices.Concat(n.CanSee, n.CannotSee, n.CanDo, n.CannotDo) {
			if strings.TrimSpace(it.Text.DE) == "" || strings.TrimSpace(it.Text.EN) == "" || it.Text.DE == it.Text.EN {
				t.Errorf("%s: %q / %q", it.ID, it.Text.DE, it.Text.EN)
			}
			if it.Text.In("en") != it.Text.EN || it.Text.In("fr") != it.Text.DE {
				t.Errorf("%s: English for en, German otherwise", it.ID)
			}
		}
	}
}

func TestNoticeVersionFollowsTheText(t *testing.T) {
	v := NoticeVersion()
	if !strings.HasPrefix(v, "notice-") || len(v) != len("notice-")+12 {
		t.Fatalf("version %q", v)
	}
	if err := CheckNoticeVersion(v); err != nil {
		t.Error(err)
	}
	if err := CheckNoticeVersion("notice-000000000000"); err == nil {
		t.Error("an old notice version was accepted")
	}
}
