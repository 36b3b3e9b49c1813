package store_test

import (
	"context"
	"fmt"
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

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// activeDevice enrols a device of the tenant through the domain's steps.
func activeDevice(t *testing.T, svc *domain.Services, tn mdm.Tenant, email string) mdm.Device {
	t.Helper()
	ctx := context.Background()
	inv, err := svc.Enrolment.Invite(ctx, "test", tn, enrolment.InviteRequest{Email: email, Platform: mdm.PlatformAndroid})
	if err != nil {
		t.Fatal(err)
	}
	started, err := svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: inv.Code, Platform: mdm.PlatformAndroid})
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
