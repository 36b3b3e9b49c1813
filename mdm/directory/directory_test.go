package directory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// fakeDirectory is a directory whose people a test sets; it refuses the password
// "wrong" as a server refuses a bad bind.
type fakeDirectory struct {
	people []directory.Entry
	reads  int
}

func (f *fakeDirectory) Check(c directory.Config) error {
	if c.BaseDN == "" {
		return errors.New("the base DN is empty")
	}
	return nil
}

func (f *fakeDirectory) Read(_ context.Context, _ directory.Config, password string) ([]directory.Entry, error) {
	if password == "wrong" {
		return nil, errors.New("invalid credentials")
	}
	f.reads++
	return f.people, nil
}

// set replaces the directory's entry with the external ID, or adds it.
func (f *fakeDirectory) set(e directory.Entry) {
	for i := range f.people {
		if f.people[i].ExternalID == e.ExternalID {
			f.people[i] = e
			return
		}
	}
	f.people = append(f.people, e)
}

// drop removes the entry with the external ID.
func (f *fakeDirectory) drop(id string) {
	for i := range f.people {
		if f.people[i].ExternalID == id {
			f.people = append(f.people[:i], f.people[i+1:]...)
			return
		}
	}
}

type fakeCA struct{ revoked int }

func (c *fakeCA) RevokeEnrolment(context.Context, string, string, string) (int, error) {
	c.revoked++
	return 1, nil
}

// town is a tenant with a directory: Anna (from storetest.Populate) has an iPhone on the
// policy "Verwaltung"; the rules send the group Verwaltung to it and Kita to a second
// policy, both inviting new members.
type town struct {
	w     storetest.World
	kita  mdm.WorkPolicy
	dir   *fakeDirectory
	clock *storetest.Clock
	ca    *fakeCA
	svc   func() *domain.Services
}

func newTown(t *testing.T, s *store.Store) town {
	t.Helper()
	ctx := context.Background()
	tw := town{dir: &fakeDirectory{}, clock: &storetest.Clock{T: storetest.WorldTime}, ca: &fakeCA{}}
	tw.svc = func() *domain.Services {
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(tw.clock.Now),
			mdm.WithCertificates(tw.ca), mdm.WithNoticeMail())
		svc.Directory.UseSource(tw.dir)
		return svc
	}
	svc := tw.svc()
	tw.w = storetest.Populate(t, s, svc, "musterstadt", storetest.WorldTime)
	tw.kita = mdm.WorkPolicy{ID: mdm.NewID(), Name: "Kita", CreatedAt: storetest.WorldTime, UpdatedAt: storetest.WorldTime}
	if err := store.WorkPoliciesOf(s).CreateWorkPolicy(ctx, tw.w.Tenant.ID, &tw.kita); err != nil {
		t.Fatal(err)
	}
	cfg := directory.Config{LDAPURL: "ldap://127.0.0.1", BindDN: "cn=sync", BaseDN: "dc=musterstadt", GraceDays: 14}
	if _, err := svc.Directory.SetConfig(ctx, "cli:root", tw.w.Tenant, cfg, "secret"); err != nil {
		t.Fatal(err)
	}
	rules := []directory.Rule{{GroupName: "Verwaltung", PolicyID: tw.w.Policy.ID, AutoInvite: true},
		{GroupName: "Kita", PolicyID: tw.kita.ID, AutoInvite: true}}
	if _, err := svc.Directory.SetRules(ctx, "cli:root", tw.w.Tenant, rules); err != nil {
		t.Fatal(err)
	}
	return tw
}

func (tw town) sync(t *testing.T, dryRun bool) directory.Result {
	t.Helper()
	r, err := tw.svc().Directory.Sync(context.Background(), "cli:root", tw.w.Tenant, dryRun)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) > 0 {
		t.Fatalf("failed: %+v", r.Failed)
	}
	return r
}

func (tw town) device(t *testing.T, s *store.Store) mdm.Device {
	t.Helper()
	d, err := s.Devices().Device(context.Background(), tw.w.Tenant.ID, tw.w.Device.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func anna(groups ...string) directory.Entry {
	return directory.Entry{ExternalID: "guid-anna", UserName: "anna", Email: "anna@musterstadt.example", Name: "Anna",
		Groups: groups, Enabled: true}
}

// A town's directory over a year: a joiner is invited, Anna moves to the Kita and her
// iPhone follows, then she leaves: her invitation is revoked at once, IT is mailed, and
// only after the grace period is her work container removed and her certificate revoked —
// once, however often the job runs.
func TestJoinerMoverLeaver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tw := newTown(t, s)
		tenant := tw.w.Tenant.ID
		tw.dir.set(anna("cn=Verwaltung,ou=groups,dc=musterstadt"))
		tw.dir.set(directory.Entry{ExternalID: "guid-ben", UserName: "ben", Email: "Ben@Musterstadt.example", Name: "Ben",
			Groups: []string{"Kita"}, Enabled: true})
		tw.dir.set(directory.Entry{ExternalID: "guid-old", UserName: "old", Email: "old@musterstadt.example", Enabled: false})

		r := tw.sync(t, false)
		if len(r.Joiners) != 2 || len(r.Movers) != 0 || len(r.Leavers) != 0 {
			t.Fatalf("first sync: %+v", r)
		}
		for _, j := range r.Joiners {
			if want := j.ExternalID == "guid-ben"; j.Invited != want {
				t.Fatalf("%s invited %v, want %v (Anna has a phone already)", j.ExternalID, j.Invited, want)
			}
		}
		if n := storetest.Count(t, s, "invitations i JOIN employees e ON e.id = i.employee_id", "e.email = ?", "ben@musterstadt.example"); n != 1 {
			t.Fatalf("Ben has %d invitations, want 1", n)
		}
		if again := tw.sync(t, false); len(again.Joiners)+len(again.Movers)+len(again.Leavers) != 0 {
			t.Fatalf("a second sync without changes did %+v", again)
		}

		tw.dir.set(anna("cn=Kita,ou=groups,dc=musterstadt"))
		if dry := tw.sync(t, true); len(dry.Movers) != 1 || *tw.device(t, s).WorkPolicyID != tw.w.Policy.ID {
			t.Fatalf("dry run: %+v, and the device moved anyway: %v", dry, *tw.device(t, s).WorkPolicyID)
		}
		r = tw.sync(t, false)
		if len(r.Movers) != 1 || r.Movers[0].To != tw.kita.ID || *tw.device(t, s).WorkPolicyID != tw.kita.ID {
			t.Fatalf("mover: %+v, device on %v", r, *tw.device(t, s).WorkPolicyID)
		}

		a := anna("cn=Kita,ou=groups,dc=musterstadt")
		a.Enabled = false
		tw.dir.set(a)
		r = tw.sync(t, false)
		if len(r.Leavers) != 1 || r.Leavers[0].Devices != 1 || r.Leavers[0].Reason != directory.LeftDisabled {
			t.Fatalf("leaver: %+v", r)
		}
		inv, _ := store.EnrolmentOf(s).Invitation(ctx, tenant, tw.w.Invitation.ID)
		if inv.RevokedAt == nil {
			t.Fatal("the leaver's pending invitation was not revoked at once")
		}
		if n := storetest.Count(t, s, "river_job", "kind = ?", directory.LeaverMailJob{}.Kind()); n != 1 {
			t.Fatalf("%d notices to IT queued, want 1", n)
		}

		tw.clock.Advance(13 * 24 * time.Hour)
		if n, err := tw.svc().Directory.RemoveLeavers(ctx); err != nil || n != 0 || tw.device(t, s).State != mdm.DeviceActive {
			t.Fatalf("within the grace period: %d removed (%v), device %s", n, err, tw.device(t, s).State)
		}
		tw.clock.Advance(2 * 24 * time.Hour)
		for i, want := range []int{1, 0} {
			if n, err := tw.svc().Directory.RemoveLeavers(ctx); err != nil || n != want {
				t.Fatalf("run %d after the grace period: %d removed (%v), want %d", i+1, n, err, want)
			}
		}
		if d := tw.device(t, s); d.State != mdm.DeviceRemoving {
			t.Fatalf("device is %s, want removing", d.State)
		}
		cmds, _ := s.Commands().Commands(ctx, tenant, tw.w.Device.ID)
		for _, c := range cmds {
			if c.Kind != mdm.CommandRemoveWorkData && c.Kind != mdm.CommandApplyPolicy {
				t.Fatalf("the leaver's phone got %s; only the work container may be removed", c.Kind)
			}
		}
		if tw.ca.revoked != 1 {
			t.Fatalf("%d revocations, want 1", tw.ca.revoked)
		}
		for action, want := range map[string]int{"directory.joiner": 2, "directory.mover": 1, "directory.leaver": 1,
			"directory.leaver_remove": 1, "device.remove": 1, "invitation.revoke": 1} {
			if n := storetest.CountEvents(t, s, tenant, audit.Action(action)); n != want {
				t.Errorf("%d %s events, want %d", n, action, want)
			}
		}
	})
}

// Someone removed from the directory by mistake and put back within the grace period
// keeps their phone's work container.
func TestAReturnerWithinTheGracePeriodKeepsTheWorkContainer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tw := newTown(t, s)
		tw.dir.set(anna("Verwaltung"))
		tw.sync(t, false)
		tw.dir.drop("guid-anna")
		if r := tw.sync(t, false); len(r.Leavers) != 1 || r.Leavers[0].Reason != directory.LeftRemoved {
			t.Fatalf("leaver: %+v", r)
		}
		tw.clock.Advance(3 * 24 * time.Hour)
		tw.dir.set(anna("Verwaltung"))
		if r := tw.sync(t, false); len(r.Joiners) != 1 || !r.Joiners[0].Returning || r.Joiners[0].Invited {
			t.Fatalf("returner: %+v", r)
		}
		tw.clock.Advance(30 * 24 * time.Hour)
		if n, err := tw.svc().Directory.RemoveLeavers(ctx); err != nil || n != 0 {
			t.Fatalf("%d removed (%v), want none", n, err)
		}
		if d := tw.device(t, s); d.State != mdm.DeviceActive {
			t.Fatalf("device is %s, want active", d.State)
		}
	})
}

// Settings the directory refuses (a wrong password, a setting the reader cannot use)
// store nothing and name the reason; a stored password is sealed for its tenant.
func TestDirectorySettingsAreTestedBeforeTheyAreSaved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tw := newTown(t, s)
		other := storetest.Tenant(t, tw.svc(), "nachbarort")
		svc := tw.svc()
		for name, tc := range map[string]struct {
			cfg      directory.Config
			password string
		}{
			"wrong password": {directory.Config{LDAPURL: "ldap://127.0.0.1", BaseDN: "dc=x"}, "wrong"},
			"no base DN":     {directory.Config{LDAPURL: "ldap://127.0.0.1"}, "secret"},
			"no password":    {directory.Config{LDAPURL: "ldap://127.0.0.1", BaseDN: "dc=x"}, ""},
			"grace too long": {directory.Config{LDAPURL: "ldap://127.0.0.1", BaseDN: "dc=x", GraceDays: 400}, "secret"},
		} {
			if _, err := svc.Directory.SetConfig(ctx, "cli:root", other, tc.cfg, tc.password); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if n := storetest.Count(t, s, "directory_configs", "tenant_id = ?", other.ID); n != 0 {
			t.Fatalf("%d settings stored after refusals", n)
		}
		stored, err := store.DirectoryOf(s).Config(ctx, tw.w.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := (storetest.PlainSealer{}).Seal(directory.PasswordPurpose(tw.w.Tenant.ID), []byte("secret"))
		if sealed := stored.BindPassword; string(sealed) != string(want) {
			t.Fatalf("stored password %q is not sealed for the tenant", sealed)
		}
	})
}

// The periodic job reads a directory only when its interval has passed since the last
// read, and removes leavers whose grace period ended; what it has done is in the
// database, so a job run by another replica or after a restart carries on from there.
func TestTheJobReadsWhenDueAndRemovesLeavers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tw := newTown(t, s)
		tw.dir.set(anna("Verwaltung"))
		tw.dir.reads = 0 // the test of the settings read it once
		run := func() {
			t.Helper()
			if err := tw.svc().Directory.Run(ctx, directory.Job{}); err != nil {
				t.Fatal(err)
			}
		}
		run()
		run()
		if tw.dir.reads != 1 {
			t.Fatalf("%d reads in two runs within the hour, want 1", tw.dir.reads)
		}
		a := anna("Verwaltung")
		a.Enabled = false
		tw.dir.set(a)
		tw.clock.Advance(61 * time.Minute)
		run() // read again: Anna left, her work container waits for the grace period
		if tw.dir.reads != 2 || tw.device(t, s).State != mdm.DeviceActive {
			t.Fatalf("after an hour: %d reads, device %s", tw.dir.reads, tw.device(t, s).State)
		}
		tw.clock.Advance(15 * 24 * time.Hour)
		run()
		if d := tw.device(t, s); d.State != mdm.DeviceRemoving {
			t.Fatalf("after the grace period the job left the device %s", d.State)
		}
	})
}
