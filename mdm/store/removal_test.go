package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// fakeCA records what the domain asks of the CA.
type fakeCA struct {
	revoked []string // tenant/enrolment of each call
	fail    error
}

func (f *fakeCA) RevokeEnrolment(_ context.Context, tenantID, enrolmentID, _ string) (int, error) {
	f.revoked = append(f.revoked, tenantID+"/"+enrolmentID)
	return 1, f.fail
}

// IT removes a device: the work container is ordered away (never the phone), the
// certificates are revoked, and both are audited; repeating the removal changes nothing
// more but retries the revocation.
func TestRemovingADevice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ca := &fakeCA{}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(ca))
		w := populate(t, s, svc, "musterstadt")
		other := populate(t, s, svc, "beispieldorf")
		before, _ := store.TrailOf(s).AuditHead(ctx, w.tenant.ID)

		if err := svc.RemoveDevice(ctx, "cli:root", w.tenant, other.device.ID, "test"); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("removing another tenant's device: %v", err)
		}
		if len(ca.revoked) != 0 {
			t.Fatal("a refused removal revoked certificates")
		}
		if err := svc.RemoveDevice(ctx, "cli:root", w.tenant, w.device.ID, "left the office"); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Devices().Device(ctx, w.tenant.ID, w.device.ID)
		if d.State != mdm.DeviceRemoving {
			t.Fatalf("state %s, want removing", d.State)
		}
		cmds, _ := s.Commands().Commands(ctx, w.tenant.ID, w.device.ID)
		var removals int
		for _, c := range cmds {
			if c.Kind == mdm.CommandRemoveWorkData && c.State == mdm.CommandQueued {
				removals++
			}
		}
		if removals != 1 {
			t.Fatalf("%d queued work-data removals, want 1: %+v", removals, cmds)
		}
		if len(ca.revoked) != 1 || ca.revoked[0] != w.tenant.ID+"/"+w.device.ID {
			t.Fatalf("revocations: %v", ca.revoked)
		}
		after, _ := store.TrailOf(s).AuditHead(ctx, w.tenant.ID)
		if after.Seq != before.Seq+2 {
			t.Fatalf("%d audit events, want 2 (removal, revocation)", after.Seq-before.Seq)
		}

		if err := svc.RemoveDevice(ctx, "cli:root", w.tenant, w.device.ID, "again"); err != nil {
			t.Fatal(err)
		}
		if cmds2, _ := s.Commands().Commands(ctx, w.tenant.ID, w.device.ID); len(cmds2) != len(cmds) {
			t.Fatal("a repeated removal queued another command")
		}
		if len(ca.revoked) != 2 {
			t.Fatal("a repeated removal did not retry the revocation")
		}
	})
}

// When the CA cannot revoke, the removal is still recorded and the error says to retry.
func TestRemovalWhenTheCAFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ca := &fakeCA{fail: errors.New("database gone")}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(ca))
		w := populate(t, s, svc, "musterstadt")
		if err := svc.RemoveDevice(ctx, "cli:root", w.tenant, w.device.ID, ""); err == nil {
			t.Fatal("a failed revocation was not reported")
		}
		if d, _ := s.Devices().Device(ctx, w.tenant.ID, w.device.ID); d.State != mdm.DeviceRemoving {
			t.Fatalf("state %s, want removing", d.State)
		}
	})
}

// The platform confirms that the work container is gone: the device is removed and its
// certificates revoked, once.
func TestConfirmingARemoval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ca := &fakeCA{}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithCertificates(ca))
		w := populate(t, s, svc, "musterstadt")
		if err := svc.RemoveDevice(ctx, "cli:root", w.tenant, w.device.ID, "left"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := svc.ConfirmRemoval(ctx, "device:"+w.device.ID, w.tenant.ID, w.device.ID, "checked out"); err != nil {
				t.Fatal(err)
			}
		}
		if d, _ := s.Devices().Device(ctx, w.tenant.ID, w.device.ID); d.State != mdm.DeviceRemoved {
			t.Fatalf("state %s, want removed", d.State)
		}
		if len(ca.revoked) != 2 { // once when ordered, once when confirmed; not again after that
			t.Fatalf("revocations: %v", ca.revoked)
		}
	})
}
