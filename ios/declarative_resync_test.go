package ios_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// After an upgrade that changes what every declaration set contains, the phones enrolled
// before it are on their old sets: the check at start-up finds the sets' fingerprint
// changed and applies the policy of the declarative phones again, which sends each of
// them one sync. Running the check again sends nothing; a tenant without declarative
// phones gets nothing applied.
func TestAnUpgradeThatChangesTheSetsSyncsThePhonesOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		s.declarativePolicy(t)
		phones, _ := s.twoDeclarativePhones(t, mailApp)
		home := s.tenant
		s.tenant = storetest.Tenant(t, s.svc, "nachbarort")
		if _, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Bauhof", Default: true}); err != nil {
			t.Fatal(err)
		}
		s.enrolledOn(t, "paula", "16.7")
		s.tenant = home

		// The server before the upgrade built other sets, and the phones follow one of them.
		if err := s.st.Tenants().SetInstallationSetting(ctx, "ios_ddm_set_shape", []byte("before the upgrade")); err != nil {
			t.Fatal(err)
		}
		storetest.Exec(t, s.st, "UPDATE ios_ddm_enrolments SET set_token = ? WHERE tenant_id = ?", "set-before-the-upgrade", home.ID)

		applied := func() int64 {
			return storetest.Count(t, s.st, "river_job", "kind = ?", mdm.ApplyPolicyJob{}.Kind())
		}
		before := applied()
		if err := s.platform.CheckDeclarationShape(ctx, ios.DeclarationShapeJob{}); err != nil {
			t.Fatal(err)
		}
		if n := applied() - before; n != 1 {
			t.Fatalf("the check queued %d policy applications, want 1 (the declarative phones' policy alone)", n)
		}
		for i, p := range phones {
			cmd := p.waitCommand(t)
			if cmd.Command.RequestType != "DeclarativeManagement" {
				t.Fatalf("phone %d got %s, want DeclarativeManagement", i, cmd.Command.RequestType)
			}
			if next := p.next(t, "Acknowledged", cmd.CommandUUID); next != nil {
				t.Fatalf("phone %d got a second command %s", i, next.Command.RequestType)
			}
		}

		before = applied()
		if err := s.platform.CheckDeclarationShape(ctx, ios.DeclarationShapeJob{}); err != nil {
			t.Fatal(err)
		}
		if n := applied() - before; n != 0 {
			t.Errorf("the second check queued %d policy applications, want none", n)
		}
		for i, p := range phones {
			if next := p.next(t, "Idle", ""); next != nil {
				t.Errorf("phone %d got %s after the second check, want nothing", i, next.Command.RequestType)
			}
		}
	})
}

// A new installation stores the fingerprint of its sets and applies nothing.
func TestANewInstallationStoresTheSetsFingerprintOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		if err := s.platform.CheckDeclarationShape(ctx, ios.DeclarationShapeJob{}); err != nil {
			t.Fatal(err)
		}
		if n := storetest.Count(t, s.st, "river_job", "kind = ?", mdm.ApplyPolicyJob{}.Kind()); n != 0 {
			t.Errorf("%d policy applications queued, want none", n)
		}
		if shape, err := s.st.Tenants().InstallationSetting(ctx, "ios_ddm_set_shape"); err != nil || len(shape) == 0 {
			t.Errorf("stored fingerprint %q, %v", shape, err)
		}
	})
}
