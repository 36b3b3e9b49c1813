package dataprotection_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A draft is written from the tenant's settings as they stand when it is made, quotes
// every platform's notice for each ownership and the role matrix, and making it is
// recorded in the trail.
func TestADocumentDraftReadsTheSettingsAndIsRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		w := storetest.Populate(t, s, svc, "musterstadt", testTime)
		before, err := svc.DataProtection.DocumentDraft(ctx, "admin:dpo", w.Tenant, dataprotection.DocumentDPIA)
		if err != nil {
			t.Fatal(err)
		}
		if before.Settings.DeviceRetentionDays != 30 || len(before.Notices) != 2*len(mdm.Ownerships) || len(before.Roles) != len(mdm.Roles) {
			t.Fatalf("draft facts: %+v", before)
		}
		dp := before.Settings
		dp.DeviceRetentionDays, dp.InactivityDays = 45, 90
		if _, err := svc.DataProtection.SetDataProtection(ctx, "admin:x", w.Tenant, dp); err != nil {
			t.Fatal(err)
		}
		after, err := svc.DataProtection.DocumentDraft(ctx, "admin:dpo", w.Tenant, dataprotection.DocumentAgreement)
		if err != nil {
			t.Fatal(err)
		}
		if after.Settings.DeviceRetentionDays != 45 || after.Settings.InactivityDays != 90 || after.Document != dataprotection.DocumentAgreement {
			t.Errorf("the next draft reads %+v; want the new settings", after.Settings)
		}
		if n := storetest.CountEvents(t, s, w.Tenant.ID, audit.DataProtectionDocument); n != 2 {
			t.Errorf("%d %s events; want one per draft", n, audit.DataProtectionDocument)
		}
		if _, err := svc.DataProtection.DocumentDraft(ctx, "admin:dpo", w.Tenant, "minutes"); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("an unknown document: %v; want ErrInvalid", err)
		}
	})
}
