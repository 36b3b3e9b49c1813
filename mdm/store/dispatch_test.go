package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// recordingDriver is a platform that writes down what the domain asks of it.
type recordingDriver struct {
	platform mdm.Platform
	refuse   error // returned by SendCommand when set

	mu       sync.Mutex
	policies []string // "name@version"
	commands []mdm.CommandKind
	removed  []string
}

func (d *recordingDriver) Platform() mdm.Platform { return d.platform }

func (d *recordingDriver) EnrolmentStep(context.Context, mdm.Tenant, mdm.Device) (mdm.EnrolmentStep, error) {
	return mdm.EnrolmentStep{}, nil
}

func (d *recordingDriver) ApplyPolicy(_ context.Context, _ mdm.Tenant, p mdm.WorkPolicy) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.policies = append(d.policies, fmt.Sprintf("%s@%d", p.Name, p.Version))
	return nil
}

func (d *recordingDriver) SendCommand(_ context.Context, _ mdm.Tenant, _ mdm.Device, c mdm.Command) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.commands = append(d.commands, c.Kind)
	return d.refuse
}

func (d *recordingDriver) RemoveWorkData(_ context.Context, _ mdm.Tenant, dev mdm.Device) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removed = append(d.removed, dev.ID)
	return nil
}

func (d *recordingDriver) seen() ([]string, []mdm.CommandKind, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.policies...), append([]mdm.CommandKind(nil), d.commands...), append([]string(nil), d.removed...)
}

// dispatching runs the domain's platform jobs with the driver until the test ends.
func dispatching(t *testing.T, s *store.Store, svc *domain.Services, dr mdm.Driver) {
	t.Helper()
	d := mdm.NewDispatcher(svc.Service, dr)
	q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
	jobs.Handle(q, d.ApplyPolicy)
	jobs.Handle(q, d.DeliverCommand)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
}

// eventually waits until ok; on a timeout it says what the optional got functions show.
func eventually(t *testing.T, what string, ok func() bool, got ...func() string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			var seen []string
			for _, g := range got {
				seen = append(seen, g())
			}
			t.Fatalf("timed out waiting until %s %v", what, seen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// activeDevice enrols a device of the tenant through the domain's steps.
func activeDevice(t *testing.T, svc *domain.Services, tn mdm.Tenant, email string) mdm.Device {
	t.Helper()
	return enrolledDevice(t, svc, tn, enrolment.InviteRequest{Email: email, Platform: mdm.PlatformAndroid})
}

// enrolledDevice invites as req asks and enrols the phone through the domain's steps; it
// returns the device as the invitation's redemption made it.
func enrolledDevice(t *testing.T, svc *domain.Services, tn mdm.Tenant, req enrolment.InviteRequest) mdm.Device {
	t.Helper()
	ctx := context.Background()
	inv, err := svc.Enrolment.Invite(ctx, "test", tn, req)
	if err != nil {
		t.Fatal(err)
	}
	started, err := svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: inv.Code, Platform: req.Platform})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Enrolment.BeginEnrolment(ctx, tn.ID, started.Device.ID, "enterprises/e/devices/"+started.Device.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Enrolment.CompleteEnrolment(ctx, tn.ID, started.Device.ID); err != nil {
		t.Fatal(err)
	}
	return started.Device
}

func TestAPolicyReachesThePlatformOncePerChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		dr := &recordingDriver{platform: mdm.PlatformAndroid}
		p, err := svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", tn, mdm.WorkPolicy{Name: "Verwaltung"})
		if err != nil {
			t.Fatal(err)
		}
		if !p.Default {
			t.Fatal("the tenant's first policy is not its default")
		}
		d := activeDevice(t, svc, tn, "anna@musterstadt.example")
		if d.WorkPolicyID == nil || *d.WorkPolicyID != p.ID {
			t.Fatalf("a new device got policy %v, want the default %s", d.WorkPolicyID, p.ID)
		}
		// Three quick changes before any worker runs: the versions in between are skipped.
		for range 3 {
			if p, err = svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", tn, p); err != nil {
				t.Fatal(err)
			}
		}
		dispatching(t, s, svc, dr)
		eventually(t, "the newest version was applied", func() bool {
			policies, _, _ := dr.seen()
			return len(policies) > 0 && policies[len(policies)-1] == "Verwaltung@4"
		})
		time.Sleep(200 * time.Millisecond)
		if policies, _, _ := dr.seen(); len(policies) != 1 {
			t.Fatalf("the platform was asked %d times (%v), want once for the newest version", len(policies), policies)
		}
	})
}

func TestCommandsAndRemovalReachThePlatformOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(noCertificates{}))
		tn := storetest.Tenant(t, svc, "musterstadt")
		dr := &recordingDriver{platform: mdm.PlatformAndroid}
		dispatching(t, s, svc, dr)
		d := activeDevice(t, svc, tn, "anna@musterstadt.example")

		c, err := svc.CommandDevice(ctx, "admin:test", tn, d.ID, mdm.CommandLockWork, "phone left in the train")
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "the command was sent", func() bool {
			got, err := s.Commands().Command(ctx, tn.ID, c.ID)
			return err == nil && got.State == mdm.CommandSent
		})
		if err := svc.RemoveDevice(ctx, "admin:test", tn, d.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the work data was removed", func() bool {
			_, _, removed := dr.seen()
			return len(removed) == 1 && removed[0] == d.ID
		})
		time.Sleep(200 * time.Millisecond)
		if _, commands, removed := dr.seen(); len(commands) != 1 || commands[0] != mdm.CommandLockWork || len(removed) != 1 {
			t.Fatalf("the platform got commands %v and removals %v, want one lock and one removal", commands, removed)
		}
	})
}

func TestACommandThePlatformRefusesIsMarkedFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		dr := &recordingDriver{platform: mdm.PlatformAndroid, refuse: fmt.Errorf("%w: the work profile has no passcode to reset", mdm.ErrInvalid)}
		dispatching(t, s, svc, dr)
		d := activeDevice(t, svc, tn, "anna@musterstadt.example")
		c, err := svc.CommandDevice(ctx, "admin:test", tn, d.ID, mdm.CommandResetWorkPasscode, "forgot it")
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "the command failed", func() bool {
			got, err := s.Commands().Command(ctx, tn.ID, c.ID)
			return err == nil && got.State == mdm.CommandError && got.Error != ""
		})
	})
}

// noCertificates is a CA without certificates to revoke.
type noCertificates struct{}

func (noCertificates) RevokeEnrolment(context.Context, string, string, string) (int, error) {
	return 0, nil
}

// deviceDriver is a recordingDriver that can bring one device in line with its policy.
type deviceDriver struct {
	recordingDriver
	devices []string // "device@policy name@version"
}

func (d *deviceDriver) ApplyPolicyToDevice(_ context.Context, _ mdm.Tenant, p mdm.WorkPolicy, dev mdm.Device) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.devices = append(d.devices, fmt.Sprintf("%s@%s@%d", dev.ID, p.Name, p.Version))
	return nil
}

func (d *deviceDriver) appliedTo() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.devices...)
}

// A phone that joins a policy is brought in line alone: the platform is not asked to go
// through the policy's other devices, whose number would make every enrolment slower.
func TestAJoiningDeviceGetsItsPolicyAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(noCertificates{}))
		tn := storetest.Tenant(t, svc, "musterstadt")
		p, err := svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", tn, mdm.WorkPolicy{Name: "Verwaltung"})
		if err != nil {
			t.Fatal(err)
		}
		dr := &deviceDriver{recordingDriver: recordingDriver{platform: mdm.PlatformAndroid}}
		dispatching(t, s, svc, dr)
		created := fmt.Sprintf("Verwaltung@%d", p.Version)
		eventually(t, "the new policy was applied", func() bool { policies, _, _ := dr.seen(); return len(policies) == 1 })
		var want []string
		for _, email := range []string{"anna@musterstadt.example", "ben@musterstadt.example", "cem@musterstadt.example"} {
			d := activeDevice(t, svc, tn, email)
			want = append(want, fmt.Sprintf("%s@%s@%d", d.ID, p.Name, p.Version))
		}
		eventually(t, "each new device got its policy", func() bool { return len(dr.appliedTo()) == len(want) })
		time.Sleep(200 * time.Millisecond)
		got := dr.appliedTo()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("the policy was applied to %v, want each new device once: %v", got, want)
		}
		if policies, _, _ := dr.seen(); !slices.Equal(policies, []string{created}) {
			t.Fatalf("the platform applied the whole policy %v, want only once when it was created", policies)
		}

		// A job for a device that has meanwhile left the policy, or was removed, does nothing;
		// one queued in the older form, before jobs named their device, applies the whole policy.
		other, err := svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", tn, mdm.WorkPolicy{Name: "Bauhof"})
		if err != nil {
			t.Fatal(err)
		}
		moved := activeDevice(t, svc, tn, "dana@musterstadt.example")
		gone := activeDevice(t, svc, tn, "emil@musterstadt.example")
		eventually(t, "the two new devices got their policy", func() bool { return len(dr.appliedTo()) == len(want)+2 })
		if _, err := svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", tn, moved.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.RemoveDevice(ctx, "admin:test", tn, gone.ID, "left the town hall"); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the moved device got its new policy", func() bool {
			return slices.Contains(dr.appliedTo(), fmt.Sprintf("%s@%s@%d", moved.ID, other.Name, other.Version))
		})
		before := len(dr.appliedTo())
		for _, job := range []mdm.ApplyPolicyJob{
			{TenantID: tn.ID, PolicyID: p.ID, Version: p.Version, DeviceID: moved.ID},
			{TenantID: tn.ID, PolicyID: p.ID, Version: p.Version, DeviceID: gone.ID},
			{TenantID: tn.ID, PolicyID: p.ID, Version: p.Version, Due: time.Now().UTC().Truncate(time.Second)},
		} {
			if err := s.EnqueueJob(ctx, job, mdm.JobOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, "the job of the older form applied the whole policy", func() bool {
			policies, _, _ := dr.seen()
			return slices.Equal(slices.DeleteFunc(policies, func(p string) bool { return p != created }), []string{created, created})
		}, func() string { policies, _, _ := dr.seen(); return fmt.Sprint(policies) })
		time.Sleep(200 * time.Millisecond)
		if after := dr.appliedTo(); len(after) != before {
			t.Fatalf("jobs of a moved and a removed device applied the old policy to them: %v", after[before:])
		}
	})
}
