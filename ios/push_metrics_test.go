package ios_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Each push is counted by what APNs made of it: taken, a token it no longer knows, a
// refusal that is our fault (a certificate or topic), or an overload that is tried again.
func TestPushesAreCountedByResult(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		fake := s.withAPNs(t)
		events := metrics.NewEvents()
		pusher := ios.NewPusher(s.nano, s.st, ios.PusherConfig{URL: fake.URL(), Roots: fake.Roots(), Events: events})
		ok, busy, gone, refused := s.enrolled(t, "ok"), s.enrolled(t, "busy"), s.enrolled(t, "gone"), s.enrolled(t, "refused")
		fake.Fail(hex.EncodeToString(busy.pushToken), http.StatusServiceUnavailable, "ServiceUnavailable", -1)
		fake.Fail(hex.EncodeToString(gone.pushToken), http.StatusGone, "Unregistered", -1)
		fake.Fail(hex.EncodeToString(refused.pushToken), http.StatusForbidden, "BadCertificate", -1)
		job := ios.PushJob{EnrolmentIDs: []string{ok.enrollmentID, busy.enrollmentID, gone.enrollmentID, refused.enrollmentID, "never-enrolled"}}
		if err := pusher.Work(ctx, job); err != nil {
			t.Fatal(err)
		}
		job.Attempt = 7 // the last attempt: what APNs does not take now is given up
		if err := pusher.Work(ctx, job); err != nil {
			t.Fatal(err)
		}
		got := storetest.Scrape(t, events)
		for _, want := range []string{
			`trennwand_apns_pushes_total{result="sent"} 2`,
			`trennwand_apns_pushes_total{result="retry"} 1`,
			`trennwand_apns_pushes_total{result="given_up"} 1`,
			`trennwand_apns_pushes_total{result="gone"} 2`,
			`trennwand_apns_pushes_total{result="refused"} 2`,
			`trennwand_apns_pushes_total{result="not_enrolled"} 2`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("the metrics lack %s:\n%s", want, got)
			}
		}
	})
}
