package android_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
)

// A queued command reaches Google through the durable job queue; when Google answers 429
// the job is tried again with back-off and the command goes out on the next attempt.
func TestCommandsTravelThroughTheQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)
		d := s.lockable(t, "max@musterstadt.de")
		q := jobs.New(s.st.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
		jobs.Handle(q, mdm.NewDispatcher(s.svc.Service, s.platform).DeliverCommand)
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_ = q.Stop(stop)
		})

		s.fake.Fail("devices.issueCommand", http.StatusTooManyRequests)
		lock, err := s.svc.CommandDevice(ctx, "admin:test", s.tenant, d.ID, mdm.CommandLockWork, "phone lost")
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for command(t, s, d.ID, lock.ID).State != mdm.CommandSent {
			if time.Now().After(deadline) {
				t.Fatalf("the lock was not sent: %+v", command(t, s, d.ID, lock.ID))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if n := s.fake.Calls("devices.issueCommand"); n != 2 {
			t.Errorf("issueCommand calls: %d, want the refused one and the retry", n)
		}
	})
}
