package dataprotection_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A removed device's row is kept for the tenant's retention period (30 days unless set)
// and then deleted, leaving a deletion record in the trail. The sweep deletes each device
// once: run again after a restart, or by two replicas at once, it finds nothing more.
func TestRemovedDevicesAreDeletedOnceAfterTheRetentionPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &storetest.Clock{T: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		if err := svc.ConfirmRemoval(ctx, "device:x", w.Tenant.ID, w.Device.ID, "work profile removed"); err != nil {
			t.Fatal(err)
		}
		c.Advance(29 * 24 * time.Hour)
		if n, err := svc.DataProtection.PurgeRemovedDevices(ctx); err != nil || n != 0 {
			t.Fatalf("after 29 days: %d deleted, %v; want none", n, err)
		}
		c.Advance(2 * 24 * time.Hour)
		// Two replicas sweep at once, and a restarted one sweeps again.
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Go(func() {
				replica := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
				n, err := replica.DataProtection.PurgeRemovedDevices(ctx)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		restarted := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		again, err := restarted.DataProtection.PurgeRemovedDevices(ctx)
		if err != nil || counts[0]+counts[1] != 1 || again != 0 {
			t.Fatalf("deleted %v then %d (%v); want one deletion in all", counts, again, err)
		}
		if _, err := s.Devices().Device(ctx, w.Tenant.ID, w.Device.ID); !errors.Is(err, mdm.ErrNotFound) {
			t.Fatalf("the device row is still there: %v", err)
		}
		if cmds, _ := s.Commands().Commands(ctx, w.Tenant.ID, w.Device.ID); len(cmds) != 0 {
			t.Fatalf("the device's commands are still there: %v", cmds)
		}
		if n := storetest.CountEvents(t, s, w.Tenant.ID, "device.delete"); n != 1 {
			t.Fatalf("%d deletion records, want 1", n)
		}
		if r, err := svc.Trail.VerifyTenantAudit(ctx, w.Tenant); err != nil || r.Break != nil {
			t.Fatalf("the trail after deletion: %+v, %v", r.Break, err)
		}
	})
}

// A tenant's own retention period applies; devices that are not removed stay.
func TestDeviceRetentionFollowsTheTenantSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &storetest.Clock{T: testTime}
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(c.Now))
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		other := storetest.Populate(t, s, svc, "beispieldorf", testTime)
		dp := dataprotection.DefaultDataProtection(w.Tenant.ID)
		dp.DeviceRetentionDays = 7
		if _, err := svc.DataProtection.SetDataProtection(ctx, "cli:root", w.Tenant, dp); err != nil {
			t.Fatal(err)
		}
		for _, x := range []storetest.World{w, other} {
			if err := svc.ConfirmRemoval(ctx, "device:x", x.Tenant.ID, x.Device.ID, "gone"); err != nil {
				t.Fatal(err)
			}
		}
		c.Advance(8 * 24 * time.Hour)
		if n, err := svc.DataProtection.PurgeRemovedDevices(ctx); err != nil || n != 1 {
			t.Fatalf("after 8 days: %d deleted, %v; want the one of the 7-day tenant", n, err)
		}
		if _, err := s.Devices().Device(ctx, other.Tenant.ID, other.Device.ID); err != nil {
			t.Fatalf("the 30-day tenant's device went early: %v", err)
		}
	})
}

func TestDataProtectionSettingsAreChecked(t *testing.T) {
	cases := []struct {
		name   string
		change func(*dataprotection.DataProtection)
	}{
		{"no retention", func(d *dataprotection.DataProtection) { d.DeviceRetentionDays = 0 }},
		{"inactivity not 30, 60 or 90", func(d *dataprotection.DataProtection) { d.InactivityDays = 45 }},
		{"unknown action", func(d *dataprotection.DataProtection) { d.InactivityAction = "wipe" }},
		{"IT contact not an address", func(d *dataprotection.DataProtection) { d.ITContactEmail = "it at town" }},
		{"negative audit years", func(d *dataprotection.DataProtection) { d.AuditRetentionYears = -1 }},
		{"unknown legal basis", func(d *dataprotection.DataProtection) {
			d.LegalBasis, d.EmploymentLaw = "art6_1_f", dataprotection.EmploymentBDSG
		}},
		{"legal basis without employment law", func(d *dataprotection.DataProtection) { d.LegalBasis = dataprotection.LegalBasisContract }},
		{"unknown employment law", func(d *dataprotection.DataProtection) {
			d.LegalBasis, d.EmploymentLaw = dataprotection.LegalBasisContract, "bgb"
		}},
		{"Land's law unnamed", func(d *dataprotection.DataProtection) {
			d.LegalBasis, d.EmploymentLaw = dataprotection.LegalBasisObligation, dataprotection.EmploymentLand
		}},
		{"Land's provision with § 26 BDSG", func(d *dataprotection.DataProtection) {
			d.LegalBasis, d.EmploymentLaw, d.LandLaw = dataprotection.LegalBasisContract, dataprotection.EmploymentBDSG, "§ 18 DSG NRW"
		}},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		for _, tc := range cases {
			d := dataprotection.DefaultDataProtection(tn.ID)
			tc.change(&d)
			if _, err := svc.DataProtection.SetDataProtection(ctx, "cli:root", tn, d); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("%s: %v, want refusal", tc.name, err)
			}
		}
		if got, _ := svc.DataProtection.TenantDataProtection(ctx, tn); got != dataprotection.DefaultDataProtection(tn.ID) {
			t.Fatalf("refused settings were stored: %+v", got)
		}
		if n := storetest.CountEvents(t, s, tn.ID, "dataprotection.update"); n != 0 {
			t.Fatalf("refused settings were audited %d times", n)
		}
	})
}

// The legal basis is stored as chosen, read back, and its change is in the audit trail
// with the old and new choice.
func TestTheLegalBasisIsStoredAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		if d, _ := svc.DataProtection.TenantDataProtection(ctx, tn); d.LegalBasis != "" {
			t.Fatalf("a new tenant has the legal basis %q, want none chosen", d.LegalBasis)
		}
		d := dataprotection.DefaultDataProtection(tn.ID)
		d.LegalBasis, d.EmploymentLaw, d.LandLaw = dataprotection.LegalBasisObligation, dataprotection.EmploymentLand, "  § 18 DSG NRW "
		if _, err := svc.DataProtection.SetDataProtection(ctx, "cli:root", tn, d); err != nil {
			t.Fatal(err)
		}
		got, err := svc.DataProtection.TenantDataProtection(ctx, tn)
		if err != nil || got.LegalBasis != dataprotection.LegalBasisObligation || got.EmploymentLaw != dataprotection.EmploymentLand || got.LandLaw != "§ 18 DSG NRW" {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		events, err := svc.Trail.AuditPage(ctx, tn, mdm.AuditFilter{}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var details string
		for _, e := range events {
			if e.Action == "dataprotection.update" {
				details = string(e.Details)
			}
		}
		if !strings.Contains(details, `"legal_basis":"art6_1_c"`) || !strings.Contains(details, `"land_law":"§ 18 DSG NRW"`) {
			t.Errorf("the change's event does not say the new legal basis: %s", details)
		}
	})
}
