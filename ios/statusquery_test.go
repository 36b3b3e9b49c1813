package ios_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/storage/storagetest"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
)

// An enrolled iPhone is asked once a day for its OS version and its passcode state, and
// for nothing else; its answers update the device; a second run the same day asks again
// nobody, however often it runs (restarts, replicas).
func TestIPhonesAreAskedForTheirStatusOnceADay(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		p := s.enrolled(t, "erika")
		for range 2 {
			if err := s.platform.QueryStatus(ctx, ios.StatusQueryJob{}); err != nil {
				t.Fatal(err)
			}
		}
		asked := map[string]apple.Command{}
		status, cmd := p.report(t, "Idle", "")
		for ; cmd != nil; status, cmd = p.answer(t, cmd) {
			if _, twice := asked[cmd.Command.RequestType]; twice {
				t.Fatalf("%s was queued twice", cmd.Command.RequestType)
			}
			asked[cmd.Command.RequestType] = *cmd
		}
		if status != http.StatusOK || len(asked) != 2 {
			t.Fatalf("the phone was asked %v (HTTP %d), want DeviceInformation and SecurityInfo", keys(asked), status)
		}
		info, ok := asked["DeviceInformation"]
		if !ok {
			t.Fatalf("no DeviceInformation among %v", keys(asked))
		}
		var q struct{ Command struct{ Queries []string } }
		if err := plist.Unmarshal(info.Raw, &q); err != nil || len(q.Command.Queries) != 1 || q.Command.Queries[0] != "OSVersion" {
			t.Errorf("DeviceInformation asks for %v (%v), want OSVersion only", q.Command.Queries, err)
		}
		if _, ok := asked["SecurityInfo"]; !ok {
			t.Errorf("no SecurityInfo among %v", keys(asked))
		}
		if d := s.devices(t)[0]; d.OSVersion != "18.5" {
			t.Errorf("after the answer the device has OS version %q, want 18.5", d.OSVersion)
		}
		if err := s.platform.QueryStatus(ctx, ios.StatusQueryJob{}); err != nil {
			t.Fatal(err)
		}
		if _, cmd := p.report(t, "Idle", ""); cmd != nil {
			t.Errorf("asked again the same day: %s", cmd.Command.RequestType)
		}
		for _, c := range mustCommands(t, s) {
			if c.Kind != mdm.CommandApplyPolicy {
				t.Errorf("a status query became a domain command: %s", c.Kind)
			}
		}
	})
}

// The two status queries wake a phone with one push, after which it fetches both.
func TestOnePushWakesAnIPhoneForBothStatusQueries(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		fake := s.pushing(t)
		p := s.enrolled(t, "erika")
		before := fake.Count()
		if err := s.platform.QueryStatus(context.Background(), ios.StatusQueryJob{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "APNs got a push", func() bool { return fake.Count() > before })
		time.Sleep(200 * time.Millisecond)
		if n := fake.Count() - before; n != 1 {
			t.Fatalf("the status queries sent %d pushes, want 1", n)
		}
		asked := 0
		for _, cmd := p.report(t, "Idle", ""); cmd != nil; _, cmd = p.answer(t, cmd) {
			asked++
		}
		if asked != 2 {
			t.Fatalf("after the push the phone was asked %d queries, want 2", asked)
		}
	})
}

// answer answers a status query as an iPhone on iOS 18.5 with a compliant passcode does
// and returns the next command.
func (p *phone) answer(t testing.TB, cmd *apple.Command) (int, *apple.Command) {
	t.Helper()
	msg := map[string]any{"EnrollmentID": p.enrollmentID, "Status": "Acknowledged", "CommandUUID": cmd.CommandUUID}
	switch cmd.Command.RequestType {
	case "DeviceInformation":
		msg["QueryResponses"] = map[string]any{"OSVersion": "18.5"}
	case "SecurityInfo":
		msg["SecurityInfo"] = map[string]any{"PasscodeCompliant": true}
	}
	return p.reportMessage(t, msg)
}

func keys(m map[string]apple.Command) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustCommands(t testing.TB, s *site) []mdm.Command {
	t.Helper()
	cmds, err := s.st.Commands().Commands(context.Background(), s.tenant.ID, s.devices(t)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// A large fleet is not woken all at once: each batch of a run wakes its phones 10 seconds
// after the one before, so that their check-ins do not arrive together.
func TestTheBatchesOfAStatusQueryWakeTheirPhonesOneAfterAnother(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		db := s.st.Tables().DB()
		storagetest.SeedEnrolments(t, db, 2500, testTopic)
		start := time.Now()
		if err := s.platform.QueryStatus(context.Background(), ios.StatusQueryJob{}); err != nil {
			t.Fatal(err)
		}
		var scheduled []time.Time
		if err := db.Table("river_job").Where("kind = ?", ios.PushJob{}.Kind()).Order("scheduled_at").
			Pluck("scheduled_at", &scheduled).Error; err != nil {
			t.Fatal(err)
		}
		// 2,500 phones are three batches (1,000, 1,000, 500), each one push job.
		var at []time.Duration
		for _, when := range scheduled {
			at = append(at, when.Sub(start).Round(5*time.Second))
		}
		if !slices.Equal(at, []time.Duration{0, 10 * time.Second, 20 * time.Second}) {
			t.Errorf("the pushes wake their phones %v after the run started, want 0s, 10s and 20s", at)
		}
	})
}
