package android_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// provision takes an invited company-owned device through the portal's step and the
// phone's setup wizard, which scans the step's QR code.
func (s *site) provision(t *testing.T, d mdm.Device) amapi.Device {
	t.Helper()
	ctx := context.Background()
	step, err := s.platform.EnrolmentStep(ctx, s.tenant, d)
	if err != nil {
		t.Fatalf("enrolment step: %v", err)
	}
	if step.URL != "" || step.QRCode == "" {
		t.Fatalf("the step of a company-owned phone: link %q, QR code %q; want the QR code alone", step.URL, step.QRCode)
	}
	var qr map[string]any
	if err := json.Unmarshal([]byte(step.QRCode), &qr); err != nil || qr["android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"] == nil {
		t.Fatalf("the QR code is not Android's provisioning JSON: %q (%v)", step.QRCode, err)
	}
	phone, err := s.fake.ProvisionFromQRCode(ctx, step.QRCode)
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	return phone
}

// auditEvents returns the tenant's events of the action.
func (s *site) auditEvents(t *testing.T, action audit.Action) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := store.TrailOf(s.st).FilteredAuditEvents(context.Background(), s.tenant.ID, mdm.AuditFilter{Actions: []audit.Action{action}},
		func(e audit.Event) error { out = append(out, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The life of a company-owned phone with private use allowed, with Google's Go client
// against the fake: IT invites it as company-owned; the employee's notice says what the
// employer may see and do besides; the phone is provisioned from its setup wizard by the
// token's QR code and gets a work profile on a company-owned device; its serial number
// and IMEI are kept; IT locks it, then erases it with a reason. A second one is removed:
// its work profile goes, the phone and its private side stay.
func TestCompanyOwnedPhoneLife(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		b := s.bind(t)
		wp, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Bauhof",
			PersonalUsage: mdm.PersonalUsage{MaxDaysWorkOff: 7, PersonalCameraDisabled: true}})
		if err != nil {
			t.Fatal(err)
		}

		notice, err := mdm.PrivacyNotice(mdm.PlatformAndroid, mdm.OwnershipCompany)
		if err != nil {
			t.Fatal(err)
		}
		var said []string
		for _, it := range slices.Concat(notice.CanSee, notice.CanDo) {
			said = append(said, it.ID)
		}
		for _, id := range []string{"can_see.hardware_ids", "can_do.wipe_device", "can_do.lock_device"} {
			if !slices.Contains(said, id) {
				t.Errorf("the notice of a company-owned Android phone does not say %s", id)
			}
		}

		d := s.inviteOwned(t, "hausmeister@musterstadt.de", mdm.OwnershipCompany)
		phone := s.provision(t, d)
		if phone.Ownership != "COMPANY_OWNED" || phone.ManagementMode != "PROFILE_OWNER" {
			t.Fatalf("the phone is %s, %s; want a work profile on a company-owned device", phone.Ownership, phone.ManagementMode)
		}
		company, ok := s.fake.Policy(phone.PolicyName)
		if !ok || phone.PolicyName != b.Enterprise+"/policies/wp-"+wp.ID+"-company" || company.PersonalUsagePolicies == nil ||
			company.PersonalUsagePolicies.MaxDaysWithWorkOff != 7 || !company.PersonalUsagePolicies.CameraDisabled {
			t.Errorf("the phone follows %q with the personal side's rules %+v", phone.PolicyName, company.PersonalUsagePolicies)
		}
		if own, ok := s.fake.Policy(b.Enterprise + "/policies/wp-" + wp.ID); !ok || own.PersonalUsagePolicies != nil {
			t.Errorf("the policy of the employees' own phones carries rules for the personal side: %+v", own.PersonalUsagePolicies)
		}
		got := s.device(t, d.ID)
		want := mdm.HardwareIDs{SerialNumber: phone.HardwareInfo.SerialNumber, IMEI: phone.NetworkInfo.Imei}
		if got.State != mdm.DeviceActive || got.Ownership != mdm.OwnershipCompany || got.Hardware != want {
			t.Fatalf("after provisioning: %s, %s, hardware %+v (want %+v)", got.State, got.Ownership, got.Hardware, want)
		}

		lock, err := s.svc.CommandDevice(ctx, "admin:test", s.tenant, d.ID, mdm.CommandLockDevice, "lost on the bus")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.platform.SendCommand(ctx, s.tenant, got, lock); err != nil {
			t.Fatalf("lock the phone: %v", err)
		}
		if n, err := s.fake.CompleteOperations(ctx); err != nil || n != 1 {
			t.Fatalf("complete operations: %d, %v", n, err)
		}
		if c := command(t, s, d.ID, lock.ID); c.State != mdm.CommandAcknowledged {
			t.Errorf("the lock is %s", c.State)
		}

		if err := s.svc.WipeDevice(ctx, "admin:test", s.tenant, d.ID, ""); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("a wipe without a reason: %v", err)
		}
		if err := s.svc.WipeDevice(ctx, "admin:test", s.tenant, d.ID, "not found again after the bus"); err != nil {
			t.Fatal(err)
		}
		wipe := queued(t, s, d.ID, mdm.CommandWipeDevice)
		if err := s.platform.SendCommand(ctx, s.tenant, s.device(t, d.ID), wipe); err != nil {
			t.Fatalf("wipe: %v", err)
		}
		if flags, erased := s.fake.Erased(phone.Name); !erased || !slices.Equal(flags, []string{"WIPE_EXTERNAL_STORAGE"}) {
			t.Errorf("the phone was erased %v, with flags %v", erased, flags)
		}
		if got := s.device(t, d.ID); got.State != mdm.DeviceRemoved {
			t.Errorf("after the wipe the device is %s", got.State)
		}
		wiped := s.auditEvents(t, audit.DeviceWipe)
		if len(wiped) != 1 || wiped[0].Field("reason") != "not found again after the bus" {
			t.Errorf("the wipe on record: %+v", wiped)
		}

		other := s.inviteOwned(t, "gaertnerin@musterstadt.de", mdm.OwnershipCompany)
		second := s.provision(t, other)
		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, other.ID, "handed over to her for private use"); err != nil {
			t.Fatal(err)
		}
		removal := queued(t, s, other.ID, mdm.CommandRemoveWorkData)
		if err := s.platform.SendCommand(ctx, s.tenant, s.device(t, other.ID), removal); err != nil {
			t.Fatalf("remove the work profile: %v", err)
		}
		if _, erased := s.fake.Erased(second.Name); erased {
			t.Error("removing the work profile erased the whole phone")
		}
		if _, err := s.fake.CompleteOperations(ctx); err != nil {
			t.Fatal(err)
		}
		if _, still := s.fake.Device(second.Name); still {
			t.Error("the phone that gave up its work profile is still in the enterprise")
		}
		if got := s.device(t, other.ID); got.State != mdm.DeviceRemoved {
			t.Errorf("after the removal the device is %s", got.State)
		}
	})
}

// An employee's own phone never becomes company-owned: set up from the setup wizard with
// its invitation's token, AMAPI reports it COMPANY_OWNED; the platform refuses it,
// records the refusal, and keeps nothing of it.
func TestAPersonalInvitationSetUpAsCompanyOwnedIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)
		d := s.inviteOwned(t, "max@musterstadt.de", mdm.OwnershipPersonal)
		step, err := s.platform.EnrolmentStep(ctx, s.tenant, d)
		if err != nil {
			t.Fatal(err)
		}
		if step.QRCode != "" {
			t.Errorf("the employee's own phone was given a provisioning QR code")
		}
		token, ok := strings.CutPrefix(step.URL, android.EnrolURL+"?et=")
		if !ok {
			t.Fatalf("enrolment link %q", step.URL)
		}
		qr := fmt.Sprintf(`{"android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME":"com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver",`+
			`"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE":{"com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN":%q}}`, token)
		before := s.auditCount(t)
		phone, err := s.fake.ProvisionFromQRCode(ctx, qr)
		if err != nil {
			t.Fatal(err)
		}
		got := s.device(t, d.ID)
		if got.State != mdm.DeviceInvited || got.PlatformID != "" || got.Ownership != mdm.OwnershipPersonal || !got.Hardware.Empty() {
			t.Errorf("after the refusal the device is %s under %q, %s, hardware %+v", got.State, got.PlatformID, got.Ownership, got.Hardware)
		}
		refused := s.auditEvents(t, audit.DeviceOwnershipRefused)
		if len(refused) != 1 || refused[0].Field("claimed") != string(mdm.OwnershipCompany) || refused[0].Actor != "android" {
			t.Errorf("the refusal on record: %+v", refused)
		}
		if after := s.auditCount(t); after != before+1 {
			t.Errorf("%d events recorded, want the refusal alone", after-before)
		}
		dump := dumpDatabase(t, s)
		for _, secret := range []string{phone.HardwareInfo.SerialNumber, phone.NetworkInfo.Imei, phone.Name} {
			if secret != "" && strings.Contains(dump, secret) {
				t.Errorf("the database holds %q of the refused phone", secret)
			}
		}
	})
}
