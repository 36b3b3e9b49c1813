package vppfake_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/ios/vppfake"
)

// apple is a fake with one organisation holding licences of one app, and a client for it.
func apple(t testing.TB, licences int) (*vppfake.Server, *vpp.Client, string) {
	t.Helper()
	fake := vppfake.Start()
	t.Cleanup(fake.Close)
	client := fake.Client()
	token := fake.AddOrganisation("Musterstadt", time.Now().Add(24*time.Hour))
	fake.AddApp(token, "361309726", "com.example.mail", "Mail", licences)
	return fake, client, string(token)
}

// done polls an event until Apple says it is done.
func done(t testing.TB, client *vpp.Client, sToken, eventID string) vpp.Event {
	t.Helper()
	for {
		ev, err := client.Status(context.Background(), sToken, eventID)
		if err != nil {
			t.Fatalf("event %s: %v", eventID, err)
		}
		if ev.Done() {
			return ev
		}
	}
}

func TestLicencesAreHeldByTheirUsersAndGivenBack(t *testing.T) {
	ctx := context.Background()
	fake, client, sToken := apple(t, 2)
	mail := []vpp.AssetRef{{AdamID: "361309726"}}
	ev, err := client.CreateUsers(ctx, sToken, []vpp.User{{ClientUserID: "anna"}, {ClientUserID: "ben"}, {ClientUserID: "cem"}})
	if err != nil {
		t.Fatal(err)
	}
	done(t, client, sToken, ev)

	ev, err = client.Associate(ctx, sToken, mail, []string{"anna", "ben", "cem", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	got := done(t, client, sToken, ev)
	failed := map[string]int{}
	for _, f := range got.Failures {
		failed[f.ClientUserID] = f.ErrorNumber
	}
	if got.NumCompleted != 2 || failed["cem"] != vpp.ErrLicenceNotFound || failed["nobody"] != 9609 {
		t.Fatalf("two licences for four users: %+v", got)
	}
	holders := fake.Assigned([]byte(sToken), "361309726")
	slices.Sort(holders)
	if !slices.Equal(holders, []string{"anna", "ben"}) {
		t.Fatalf("licences held by %v, want anna and ben", holders)
	}

	// A second association of a holder uses no licence; giving one back frees it for cem.
	for _, step := range []func() (string, error){
		func() (string, error) { return client.Associate(ctx, sToken, mail, []string{"anna"}) },
		func() (string, error) { return client.Disassociate(ctx, sToken, mail, []string{"ben"}) },
		func() (string, error) { return client.Associate(ctx, sToken, mail, []string{"cem"}) },
	} {
		ev, err := step()
		if err != nil {
			t.Fatal(err)
		}
		if got := done(t, client, sToken, ev); got.Status != vpp.EventComplete {
			t.Fatalf("event %+v", got)
		}
	}
	holders = fake.Assigned([]byte(sToken), "361309726")
	slices.Sort(holders)
	if !slices.Equal(holders, []string{"anna", "cem"}) {
		t.Fatalf("licences held by %v, want anna and cem", holders)
	}
}

func TestAnAnsweredEventIsForgottenOnlyLongAfter(t *testing.T) {
	ctx := context.Background()
	_, client, sToken := apple(t, 1)
	register := func(user string) string {
		ev, err := client.CreateUsers(ctx, sToken, []vpp.User{{ClientUserID: user}})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	first := register("user-0")
	done(t, client, sToken, first)
	waiting := register("waiting")
	for i := 1; i < 4096; i++ {
		done(t, client, sToken, register(fmt.Sprint("user-", i)))
	}
	// 4,096 events were answered: the first is still known, the one never asked about too.
	done(t, client, sToken, first)
	done(t, client, sToken, register("user-4096"))
	if _, err := client.Status(ctx, sToken, first); err == nil {
		t.Fatal("the oldest of 4,097 answered events is still known")
	} else if e, ok := vpp.AsAPIError(err); !ok || e.Number != 9602 || e.TokenUnusable() {
		t.Fatalf("a forgotten event: %v, want Apple's invalid argument", err)
	}
	done(t, client, sToken, waiting)
}

// BenchmarkOrganisationMemory reports what the fake holds per registered user with one
// licence, as serve --demo carries it for every enrolled iPhone.
func BenchmarkOrganisationMemory(b *testing.B) {
	const users = 20_000
	ctx := context.Background()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fake, client, sToken := apple(b, users)
		for start := 0; start < users; start += 100 {
			batch := make([]vpp.User, 100)
			ids := make([]string, 100)
			for i := range batch {
				ids[i] = fmt.Sprintf("%08d-0000-4000-8000-%012d", start+i, start+i)
				batch[i] = vpp.User{ClientUserID: ids[i], ManagedAppleID: ids[i] + "@musterstadt.appleid.com"}
			}
			ev, err := client.CreateUsers(ctx, sToken, batch)
			if err != nil {
				b.Fatal(err)
			}
			done(b, client, sToken, ev)
			for i := range ids {
				ev, err := client.Associate(ctx, sToken, []vpp.AssetRef{{AdamID: "361309726"}}, ids[i:i+1])
				if err != nil {
					b.Fatal(err)
				}
				done(b, client, sToken, ev)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/users, "B/user")
		runtime.KeepAlive(fake)
		fake.Close()
	}
}
