package mdm

import (
	"errors"
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
	// deviceBookkeeping are fields of Device that the server makes itself (the ownership
	// comes from the invitation, and each notice is the notice of one); every other field
	// holds something learnt from the phone and must be disclosed.
	deviceBookkeeping = []string{"ID", "TenantID", "EmployeeID", "InvitationID", "PlatformID", "Ownership", "CreatedAt", "UpdatedAt"}
	// companyFields are the fields of Device kept for a company-owned phone only, by the
	// capability that reports them.
	companyFields = map[string]Capability{"Hardware": ReportsHardwareIDs}
)

// notices are the notices of every platform and every ownership.
func notices(t *testing.T) []Notice {
	t.Helper()
	var out []Notice
	for _, p := range []Platform{PlatformIOS, PlatformAndroid} {
		for _, o := range Ownerships {
			n, err := PrivacyNotice(p, o)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
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
			if n.Ownership.Company() && id == "cannot_see.hardware_ids" {
				continue
			}
			if !slices.Contains(ids(n.CannotSee), id) {
				t.Errorf("%s %s notice does not say the employer cannot see %s", n.Ownership, n.Platform, id)
			}
		}
	}
}

// What other products do to the whole phone is never done to the employee's own phone, and
// the notice says so; on the employer's phone the notice says what may be done instead,
// exactly where the privacy matrix allows it.
func TestNoticeSaysWhatIsNeverSent(t *testing.T) {
	if len(neverSent) != len(privateDeviceActions) {
		t.Fatalf("the refused actions changed (%v): say in the notice what the employer cannot do", privateDeviceActions)
	}
	for _, n := range notices(t) {
		var promised []CommandKind
		for _, it := range n.CanDo {
			promised = append(promised, it.Commands...)
		}
		for action, kind := range privateDeviceActions {
			if _, err := ParseCommandKind(action); err == nil {
				t.Errorf("the notice promises %q is never done, but it is a command", action)
			}
			if kind != "" && Allowed(n.Ownership, canOf(n.Platform), kind) == nil {
				if !slices.Contains(promised, kind) {
					t.Errorf("%s %s notice does not say that the employer may %s (%q)", n.Ownership, n.Platform, kind, action)
				}
				continue
			}
			item, ok := neverSent[action]
			if !ok || !slices.Contains(ids(n.CannotDo), item) {
				t.Errorf("%s %s notice does not say that %q is never done", n.Ownership, n.Platform, action)
			}
		}
	}
}

// The notice names every command the server may send to a phone of its platform and
// ownership, promises none that the privacy matrix refuses there, and what it says is
// never done is refused there.
func TestNoticeDisclosesEveryCommand(t *testing.T) {
	for _, n := range notices(t) {
		var disclosed, promised, never []CommandKind
		for _, it := range n.CanDo {
			promised = append(promised, it.Commands...)
		}
		// What a command shows may also reach the server in the platform's reports, so an
		// item of what can be seen may name a command the platform does not carry out.
		for _, it := range n.CanSee {
			disclosed = append(disclosed, it.Commands...)
		}
		for _, it := range n.CannotDo {
			never = append(never, it.Commands...)
		}
		disclosed = append(disclosed, promised...)
		for _, k := range commandKinds {
			impossible := Allowed(n.Ownership, canOf(n.Platform), k) != nil
			if !slices.Contains(disclosed, k) && !impossible {
				t.Errorf("%s %s notice does not tell the employee about command %s", n.Ownership, n.Platform, k)
			}
			if slices.Contains(promised, k) && impossible {
				t.Errorf("%s %s notice promises command %s, which is refused there", n.Ownership, n.Platform, k)
			}
			if slices.Contains(never, k) && !impossible {
				t.Errorf("%s %s notice says %s is never done, but it is allowed there", n.Ownership, n.Platform, k)
			}
		}
		for _, k := range slices.Concat(disclosed, never) {
			if !slices.Contains(commandKinds, k) {
				t.Errorf("%s notice names command %s, which does not exist", n.Platform, k)
			}
		}
	}
}

// Every field of a device is either disclosed as seen, or promised to stay empty where it
// is never kept: a company-only field is kept only for a company-owned phone.
func TestNoticeDisclosesEveryDeviceField(t *testing.T) {
	for _, n := range notices(t) {
		var disclosed, empty []string
		for _, it := range n.CanSee {
			disclosed = append(disclosed, it.DeviceFields...)
		}
		for _, it := range n.CannotSee {
			empty = append(empty, it.DeviceFields...)
		}
		for f := range reflect.TypeFor[Device]().Fields() {
			if slices.Contains(deviceBookkeeping, f.Name) {
				continue
			}
			need, companyOnly := companyFields[f.Name]
			kept := !companyOnly || canOf(n.Platform).For(n.Ownership).Has(need)
			seen, unseen := slices.Contains(disclosed, f.Name), slices.Contains(empty, f.Name)
			switch {
			case kept && !seen:
				t.Errorf("Device.%s may be stored but the %s %s notice does not say the employer can see it", f.Name, n.Ownership, n.Platform)
			case !seen && !unseen:
				t.Errorf("the %s %s notice says nothing of Device.%s", n.Ownership, n.Platform, f.Name)
			case seen && unseen:
				t.Errorf("the %s %s notice says both that Device.%s is seen and that it is not", n.Ownership, n.Platform, f.Name)
			}
		}
		for _, f := range empty {
			if need, ok := companyFields[f]; !ok || canOf(n.Platform).For(n.Ownership).Has(need) {
				t.Errorf("the %s %s notice promises Device.%s stays empty, but it may be stored", n.Ownership, n.Platform, f)
			}
		}
	}
}

// The notice of the employer's phone says what the employer may see besides; the notice
// of the employee's own phone says it is never seen. Any other ownership has no notice.
func TestANoticeForEachOwnership(t *testing.T) {
	for _, p := range []Platform{PlatformIOS, PlatformAndroid} {
		own, _ := PrivacyNotice(p, OwnershipPersonal)
		company, _ := PrivacyNotice(p, OwnershipCompany)
		if !slices.Contains(ids(own.CannotSee), "cannot_see.hardware_ids") || slices.Contains(ids(own.CanSee), "can_see.hardware_ids") {
			t.Errorf("%s: the notice of the employee's own phone does not promise its hardware identifiers stay unseen", p)
		}
		if !slices.Contains(ids(company.CanSee), "can_see.hardware_ids") || slices.Contains(ids(company.CannotSee), "cannot_see.hardware_ids") {
			t.Errorf("%s: the notice of the employer's phone does not say that its hardware identifiers are seen", p)
		}
		if own.Version != company.Version {
			t.Errorf("%s: one version names the text of every notice", p)
		}
		if _, err := PrivacyNotice(p, "borrowed"); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: a notice for an unknown ownership: %v", p, err)
		}
	}
}

func TestNoticeNamesThePlatformsOwnAccountAndProfile(t *testing.T) {
	ios, _ := PrivacyNotice(PlatformIOS, OwnershipPersonal)
	android, _ := PrivacyNotice(PlatformAndroid, OwnershipPersonal)
	if !slices.Contains(ids(ios.CanSee), "can_see.managed_apple_account") || slices.Contains(ids(android.CanSee), "can_see.managed_apple_account") {
		t.Error("only the iPhone notice names the managed Apple account")
	}
	if !slices.Contains(ids(android.CanSee), "can_see.work_profile") {
		t.Error("the Android notice says that only the work profile reports")
	}
	if _, err := PrivacyNotice(PlatformAny, OwnershipPersonal); err == nil {
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
