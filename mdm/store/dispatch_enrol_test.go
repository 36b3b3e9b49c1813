package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// gatedDriver holds each ApplyPolicy until the test lets it go, announcing that it has
// started.
type gatedDriver struct {
	*recordingDriver
	started chan struct{}
	release chan struct{}
}

func (d gatedDriver) ApplyPolicy(ctx context.Context, t mdm.Tenant, p mdm.WorkPolicy) error {
	d.started <- struct{}{}
	<-d.release
	return d.recordingDriver.ApplyPolicy(ctx, t, p)
}

// await waits until an application of a policy has started.
func (d gatedDriver) await(t *testing.T, what string) {
	t.Helper()
	select {
	case <-d.started:
	case <-time.After(15 * time.Second):
		t.Fatalf("gave up waiting until %s", what)
	}
}

func TestADeviceEnrollingWhileItsPolicyIsAppliedStillGetsIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		if _, err := svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", tn, mdm.WorkPolicy{Name: "Verwaltung"}); err != nil {
			t.Fatal(err)
		}
		dr := gatedDriver{&recordingDriver{platform: mdm.PlatformAndroid}, make(chan struct{}, 4), make(chan struct{})}
		dispatching(t, s, svc, dr)
		dr.await(t, "the policy is applied when it is made")
		dr.release <- struct{}{}

		activeDevice(t, svc, tn, "anna@musterstadt.example")
		dr.await(t, "the policy is applied for Anna's phone")
		// Ben's phone joins while that application runs, which has read the devices it
		// reaches already: Ben's phone must get the policy all the same.
		activeDevice(t, svc, tn, "ben@musterstadt.example")
		dr.release <- struct{}{}
		dr.await(t, "the policy is applied again for Ben's phone")
		close(dr.release)
	})
}
