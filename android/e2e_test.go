package android_test

import (
	"context"
	"testing"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// The whole life of a work profile, with Google's Go client against the fake: IT binds
// the enterprise and sets a work policy with a managed configuration; an employee enrols
// with the invitation; the phone reports a failing password rule; IT locks the work
// profile and then removes it.
func TestWorkProfileLife(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		b := s.bind(t)
		e, _ := s.fake.Enterprise(b.Enterprise)
		if e.PubsubTopic != testTopic || len(e.EnabledNotificationTypes) != 3 {
			t.Fatalf("enterprise after bind: topic %q, notifications %v", e.PubsubTopic, e.EnabledNotificationTypes)
		}

		s.fake.AddApplication("de.example.mail", "Mail",
			&amapi.ManagedProperty{Key: "server", Type: "STRING"},
			&amapi.ManagedProperty{Key: "port", Type: "INTEGER"})
		wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Verwaltung", Version: 1, WorkPasscodeRequired: true, Default: true,
			Apps: []mdm.AppAssignment{{ID: mdm.NewID(), Platform: mdm.PlatformAndroid, AppID: "de.example.mail",
				InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail.musterstadt.de","port":993}`}}}
		if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
			t.Fatal(err)
		}
		if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
			t.Fatalf("apply policy: %v", err)
		}
		policy, ok := s.fake.Policy(b.Enterprise + "/policies/wp-" + wp.ID)
		if !ok {
			t.Fatal("no AMAPI policy for the work policy")
		}
		app := policy.Applications[0]
		if app.InstallType != "FORCE_INSTALLED" || string(app.ManagedConfiguration) != `{"server":"mail.musterstadt.de","port":993}` {
			t.Errorf("app in policy: %s %s", app.InstallType, app.ManagedConfiguration)
		}
		if policy.PasswordPolicies[0].PasswordScope != "SCOPE_PROFILE" || policy.PersonalUsagePolicies != nil ||
			policy.CrossProfilePolicies.CrossProfileCopyPaste != "COPY_FROM_WORK_TO_PERSONAL_DISALLOWED" {
			t.Errorf("policy rules: %+v %+v", policy.PasswordPolicies[0], policy.CrossProfilePolicies)
		}

		d := s.invite(t, "erika.mustermann@musterstadt.de")
		phone := s.enrol(t, d)
		if phone.Ownership != "PERSONALLY_OWNED" {
			t.Errorf("ownership %q", phone.Ownership)
		}
		got := s.device(t, d.ID)
		if got.State != mdm.DeviceActive || got.PlatformID != phone.Name || got.EmployeeID != d.EmployeeID {
			t.Fatalf("after enrolment: state %s, platform ID %q (phone %q), employee %s", got.State, got.PlatformID, phone.Name, got.EmployeeID)
		}
		if got.OSVersion != "15" || got.SecurityPatchLevel != "2026-10-05" || got.Compliance != mdm.ComplianceCompliant {
			t.Errorf("status after enrolment: %q %q %s", got.OSVersion, got.SecurityPatchLevel, got.Compliance)
		}

		err := s.fake.ReportStatus(ctx, phone.Name, func(d *amapi.Device) {
			d.PolicyCompliant = false
			d.SoftwareInfo.SecurityPatchLevel = "2026-11-05"
			d.NonComplianceDetails = []*amapi.NonComplianceDetail{{SettingName: "passwordPolicies", NonComplianceReason: "USER_ACTION"}}
		})
		if err != nil {
			t.Fatal(err)
		}
		got = s.device(t, d.ID)
		if got.Compliance != mdm.ComplianceNonCompliant || got.NonCompliance != "passwordPolicies: USER_ACTION" || got.SecurityPatchLevel != "2026-11-05" {
			t.Errorf("after status report: %s %q %q", got.Compliance, got.NonCompliance, got.SecurityPatchLevel)
		}

		// The employee sets the separate work passcode; only now can the work profile be
		// locked without locking the phone.
		err = s.fake.ReportStatus(ctx, phone.Name, func(d *amapi.Device) { d.PolicyCompliant, d.NonComplianceDetails = true, nil })
		if err != nil {
			t.Fatal(err)
		}
		lock, err := queueCommand(t, s, d, mdm.CommandLockWork)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.platform.SendCommand(ctx, s.tenant, s.device(t, d.ID), lock); err != nil {
			t.Fatalf("lock: %v", err)
		}
		if n, err := s.fake.CompleteOperations(ctx); err != nil || n != 1 {
			t.Fatalf("complete operations: %d, %v", n, err)
		}
		if c := command(t, s, d.ID, lock.ID); c.State != mdm.CommandAcknowledged {
			t.Errorf("lock is %s", c.State)
		}

		if err := s.svc.RemoveDevice(ctx, "admin:test", s.tenant, d.ID, "left the office"); err != nil {
			t.Fatal(err)
		}
		removal := queued(t, s, d.ID, mdm.CommandRemoveWorkData)
		if err := s.platform.SendCommand(ctx, s.tenant, s.device(t, d.ID), removal); err != nil {
			t.Fatalf("remove work data: %v", err)
		}
		if _, still := s.fake.Device(phone.Name); still {
			t.Error("the device is still in the enterprise")
		}
		if s.fake.Calls("devices.issueCommand") != 2 {
			t.Errorf("commands issued: %d, want LOCK and WIPE", s.fake.Calls("devices.issueCommand"))
		}
		if got := s.device(t, d.ID); got.State != mdm.DeviceRemoved {
			t.Errorf("after removal the device is %s", got.State)
		}
		if c := command(t, s, d.ID, removal.ID); c.State != mdm.CommandAcknowledged {
			t.Errorf("removal command is %s", c.State)
		}
	})
}

// command returns one of the device's commands.
// queueCommand stores a queued command of the kind for the device, as the domain does
// before it hands the command to the platform.
func queueCommand(t *testing.T, s *site, d mdm.Device, kind mdm.CommandKind) (mdm.Command, error) {
	t.Helper()
	c := mdm.Command{ID: mdm.NewID(), DeviceID: d.ID, Kind: kind, Payload: mdm.EmptyJSONObject, State: mdm.CommandQueued, CreatedAt: time.Now().UTC()}
	return c, s.st.Commands().CreateCommand(context.Background(), s.tenant.ID, &c)
}

func command(t *testing.T, s *site, deviceID, id string) mdm.Command {
	t.Helper()
	cs, err := s.st.Commands().Commands(context.Background(), s.tenant.ID, deviceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no command %s", id)
	return mdm.Command{}
}

// queued returns the device's queued command of the kind.
func queued(t *testing.T, s *site, deviceID string, kind mdm.CommandKind) mdm.Command {
	t.Helper()
	cs, err := s.st.Commands().Commands(context.Background(), s.tenant.ID, deviceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == kind && c.State == mdm.CommandQueued {
			return c
		}
	}
	t.Fatalf("no queued %s command", kind)
	return mdm.Command{}
}
