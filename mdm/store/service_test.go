package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestTenantNamesAreUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc := newService(s)
		storetest.Tenant(t, svc, "musterstadt")
		if _, err := svc.CreateTenant(context.Background(), "test", "musterstadt", "Again"); !errors.Is(err, mdm.ErrConflict) {
			t.Fatalf("second tenant with the same name: %v, want ErrConflict", err)
		}
		if n := storetest.Count(t, s, "tenants", "1 = 1"); n != 1 {
			t.Fatalf("%d tenants, want 1", n)
		}
		if n := storetest.Count(t, s, "audit_heads", "1 = 1"); n != 1 {
			t.Fatalf("%d audit heads, want 1", n)
		}
	})
}
