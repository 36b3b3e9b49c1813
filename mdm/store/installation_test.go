package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// otherKey seals like storetest.PlainSealer but under a key of its own.
type otherKey struct{ storetest.PlainSealer }

func (k otherKey) Seal(purpose string, plain []byte) ([]byte, error) {
	return k.PlainSealer.Seal("other:"+purpose, plain)
}

func (k otherKey) Open(purpose string, sealed []byte) ([]byte, error) {
	return k.PlainSealer.Open("other:"+purpose, sealed)
}

// Two replicas start a new installation at the same moment with different master keys:
// one key becomes the installation's, the other replica refuses to run.
func TestOneMasterKeyPerInstallation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := domain.New(s, otherKey{}).CheckSealer(ctx, false); err != nil {
			t.Fatalf("checking without creating on a new installation: %v", err)
		}
		if n := storetest.Count(t, s, "installation_settings", "1 = 1"); n != 0 {
			t.Fatal("a check without create stored a value")
		}
		sealers := []mdm.Sealer{storetest.PlainSealer{}, otherKey{}}
		errs := make([]error, len(sealers))
		var wg sync.WaitGroup
		for i, sealer := range sealers {
			wg.Go(func() { errs[i] = domain.New(s, sealer).CheckSealer(ctx, true) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("exactly one key must win: %v", errs)
		}
		winner, loser := sealers[0], sealers[1]
		if errs[0] != nil {
			winner, loser = loser, winner
		}
		if err := domain.New(s, winner).CheckSealer(ctx, true); err != nil {
			t.Fatalf("the installation's own key on the next start: %v", err)
		}
		if err := domain.New(s, loser).CheckSealer(ctx, false); !errors.Is(err, mdm.ErrWrongMasterKey) {
			t.Fatalf("the other key: %v, want ErrWrongMasterKey", err)
		}
	})
}

// Replicas that start at once store the same new value of a setting: one alone is told it
// changed it, whether the setting was missing or held another value; storing it again
// changes nothing.
func TestOneReplicaChangesAnInstallationSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, value := range []string{"first", "second"} {
			changed := make([]bool, 4)
			errs := make([]error, len(changed))
			var wg sync.WaitGroup
			for i := range changed {
				wg.Go(func() {
					errs[i] = s.Atomic(ctx, func(tx mdm.Store) error {
						var err error
						changed[i], err = tx.Tenants().ChangeInstallationSetting(ctx, "shape", []byte(value))
						return err
					})
				})
			}
			wg.Wait()
			n := 0
			for i := range changed {
				if errs[i] != nil {
					t.Fatalf("store %q: %v", value, errs[i])
				}
				if changed[i] {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("storing %q at once: %d replicas changed it, want 1", value, n)
			}
			if again, err := s.Tenants().ChangeInstallationSetting(ctx, "shape", []byte(value)); err != nil || again {
				t.Fatalf("storing %q again: changed %v, %v", value, again, err)
			}
		}
	})
}
