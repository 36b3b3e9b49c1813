package directory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// BenchmarkSync10000 reads a directory of 10,000 people that the tenant has taken in
// already: with no change, and with 1 % changed (50 disabled or back, 50 moved to another
// group, alternating from run to run). It reports the time of one sync and the
// statements it sent to the database.
func BenchmarkSync10000(b *testing.B) {
	for _, changed := range []int{0, 100} {
		b.Run(fmt.Sprintf("changed=%d", changed), func(b *testing.B) {
			storetest.Bench(b, func(b *testing.B, s *store.Store) {
				ctx := context.Background()
				dir := &fakeDirectory{}
				svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms())
				svc.Directory.UseSource(dir)
				w := storetest.Populate(b, s, svc, "musterstadt", storetest.WorldTime)
				cfg := directory.Config{LDAPURL: "ldap://127.0.0.1", BindDN: "cn=sync", BaseDN: "dc=musterstadt"}
				if _, err := svc.Directory.SetConfig(ctx, "cli:root", w.Tenant, cfg, "secret"); err != nil {
					b.Fatal(err)
				}
				rules := []directory.Rule{{GroupName: "Verwaltung", PolicyID: w.Policy.ID}}
				if _, err := svc.Directory.SetRules(ctx, "cli:root", w.Tenant, rules); err != nil {
					b.Fatal(err)
				}
				for i := range 10000 {
					dir.people = append(dir.people, directory.Entry{ExternalID: fmt.Sprintf("guid-%05d", i), UserName: fmt.Sprintf("user%05d", i),
						Email: fmt.Sprintf("user%05d@musterstadt.example", i), Name: fmt.Sprintf("Mitarbeiterin %05d", i),
						Groups: []string{"cn=Verwaltung,ou=groups,dc=musterstadt"}, Enabled: true})
				}
				sync(b, svc, w.Tenant)
				queries := storetest.CountQueries(s)
				var took time.Duration
				run := 0
				for b.Loop() {
					run++
					for i := 0; i < changed; i += 2 {
						e := &dir.people[i*97%10000]
						e.Enabled = !e.Enabled
						f := &dir.people[(i*97+1)%10000]
						if run%2 == 1 {
							f.Groups = []string{"cn=Kita,ou=groups,dc=musterstadt"}
						} else {
							f.Groups = []string{"cn=Verwaltung,ou=groups,dc=musterstadt"}
						}
					}
					queries.Store(0)
					start := time.Now()
					sync(b, svc, w.Tenant)
					took += time.Since(start)
				}
				b.ReportMetric(float64(queries.Load()), "queries/sync")
				b.ReportMetric(float64(took.Milliseconds())/float64(run), "ms/sync")
			})
		})
	}
}

func sync(b *testing.B, svc *domain.Services, t mdm.Tenant) {
	b.Helper()
	r, err := svc.Directory.Sync(context.Background(), "cli:root", t, false)
	if err != nil || len(r.Failed) > 0 {
		b.Fatalf("sync: %v %v", err, r.Failed)
	}
}
