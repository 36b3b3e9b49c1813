package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// people are employees whose names and addresses a search must find by any part,
// whatever the case and the accents.
var people = []struct{ name, email string }{
	{"Jürgen Müller", "j.mueller@musterstadt.example"},
	{"Ülkü Öztürk", "uelkue.oeztuerk@musterstadt.example"},
	{"Anna Schmidt", "a.schmidt@musterstadt.example"},
	{"Zoë Weiß", "zoe.weiss@rathaus.example"},
	{"bernd 100%_sicher", "bernd@musterstadt.example"},
}

// A search finds an employee's devices by any part of the name or address of three
// characters or more, ignoring case and accents; shorter terms match the start; LIKE's
// wildcards in a term are taken literally. The employee list searches the same way.
func TestSearchFindsAnyPartOfNameOrAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		other := storetest.Tenant(t, svc, "nachbarort")
		for i, p := range people {
			for _, t2 := range []mdm.Tenant{tn, other} {
				e := mdm.Employee{ID: mdm.NewID(), Email: p.email, Name: p.name, CreatedAt: testTime.Add(time.Duration(i) * time.Second)}
				if err := store.EnrolmentOf(s).CreateEmployee(ctx, t2.ID, &e); err != nil {
					t.Fatal(err)
				}
				d := mdm.Device{ID: mdm.NewID(), EmployeeID: e.ID, Platform: mdm.PlatformIOS, State: mdm.DeviceActive,
					Compliance: mdm.ComplianceCompliant, CreatedAt: e.CreatedAt, UpdatedAt: e.CreatedAt}
				if err := s.Devices().CreateDevice(ctx, t2.ID, &d); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tt := range []struct {
			search string
			want   []string // names
		}{
			{"müll", []string{"Jürgen Müller"}},
			{"MÜLLER", []string{"Jürgen Müller"}},
			{"muller", []string{"Jürgen Müller"}},
			{"ürgen m", []string{"Jürgen Müller"}},
			{"öztürk", []string{"Ülkü Öztürk"}},
			{"ÖZT", []string{"Ülkü Öztürk"}},
			{"schmi", []string{"Anna Schmidt"}},
			{"musterstadt.example", []string{"Jürgen Müller", "Ülkü Öztürk", "Anna Schmidt", "bernd 100%_sicher"}},
			{"rathaus", []string{"Zoë Weiß"}},
			{"zoe w", []string{"Zoë Weiß"}},
			{"weiß", []string{"Zoë Weiß"}},
			{"100%_s", []string{"bernd 100%_sicher"}},
			{"0%s", nil},
			{"a_s", nil},
			{"an", []string{"Anna Schmidt"}}, // two characters: the start only
			{"ch", nil},
			{"xyz", nil},
		} {
			for _, broad := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/broad=%t", tt.search, broad), func(t *testing.T) {
					if broad {
						// On SQLite a term that matches many employees is compared row by row
						// instead of looked up in the index; both must find the same.
						store.TakeEverySearchAsBroad(t)
					}
					ds, err := svc.DevicePage(ctx, tn, mdm.DeviceQuery{Search: tt.search, Sort: mdm.DeviceSort{By: mdm.SortCreated, Asc: true}})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, d := range ds {
						got = append(got, d.EmployeeName)
					}
					if fmt.Sprint(got) != fmt.Sprint(tt.want) {
						t.Errorf("devices found by %q: %q, want %q", tt.search, got, tt.want)
					}
					es, err := svc.EmployeePage(ctx, tn, mdm.EmployeeQuery{Search: tt.search})
					if err != nil {
						t.Fatal(err)
					}
					if len(es) != len(tt.want) {
						t.Errorf("employees found by %q: %d, want %d", tt.search, len(es), len(tt.want))
					}
				})
			}
		}
		// Renaming an employee moves them in the search (the index follows the table).
		e, err := s.Devices().EmployeeByEmail(ctx, tn.ID, "a.schmidt@musterstadt.example")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tables().DB().Model(&mdm.Employee{}).Where("id = ?", e.ID).Update("name", "Anna Krüger").Error; err != nil {
			t.Fatal(err)
		}
		for search, want := range map[string]int{"schmidt@": 1, "krüger": 1, "anna schmidt": 0} {
			if ds, err := svc.DevicePage(ctx, tn, mdm.DeviceQuery{Search: search}); err != nil || len(ds) != want {
				t.Errorf("after the rename, %q finds %d devices (%v), want %d", search, len(ds), err, want)
			}
		}
	})
}

// Walking the device list page by page in any column's order, either way, visits every
// device of the tenant once, in that order, with the device's ID breaking ties.
func TestDevicePagesInEveryColumnsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		storetest.Tenant(t, svc, "nachbarort")
		devices := seedDevices(t, s, tn, 23)
		policies := []mdm.WorkPolicy{}
		for _, name := range []string{"Bauamt", "amt für Soziales"} {
			p, err := svc.WorkPolicy.CreateWorkPolicy(ctx, "test", tn, mdm.WorkPolicy{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			policies = append(policies, p)
		}
		for i, d := range devices {
			set := map[string]any{"verdict": []mdm.Compliance{mdm.ComplianceCompliant, mdm.ComplianceNonCompliant, mdm.ComplianceUnknown}[i%3]}
			if i%3 != 0 {
				set["work_policy_id"] = policies[i%2].ID
			}
			if i%4 != 0 {
				set["last_contact_at"] = testTime.Add(time.Duration(i%5) * time.Hour)
			}
			if err := s.Tables().DB().Model(&mdm.Device{}).Where("id = ?", d.ID).Updates(set).Error; err != nil {
				t.Fatal(err)
			}
		}
		all, err := svc.DevicePage(ctx, tn, mdm.DeviceQuery{Page: mdm.Page{Limit: 100}})
		if err != nil || len(all) != len(devices) {
			t.Fatalf("all devices: %d, %v", len(all), err)
		}
		key := map[mdm.DeviceSortColumn]func(d mdm.DeviceListing) string{
			mdm.SortCreated:    func(d mdm.DeviceListing) string { return d.CreatedAt.UTC().Format(time.RFC3339Nano) },
			mdm.SortName:       func(d mdm.DeviceListing) string { return strings.ToLower(d.EmployeeName) },
			mdm.SortEmail:      func(d mdm.DeviceListing) string { return d.EmployeeEmail },
			mdm.SortPlatform:   func(d mdm.DeviceListing) string { return string(d.Platform) },
			mdm.SortState:      func(d mdm.DeviceListing) string { return string(d.State) },
			mdm.SortCompliance: func(d mdm.DeviceListing) string { return string(d.Compliance) },
			mdm.SortPolicy:     func(d mdm.DeviceListing) string { return d.PolicyName },
			mdm.SortContact: func(d mdm.DeviceListing) string {
				if d.LastContactAt == nil {
					return ""
				}
				return d.LastContactAt.UTC().Format(time.RFC3339Nano)
			},
		}
		for _, col := range mdm.DeviceSortColumns {
			for _, asc := range []bool{true, false} {
				sort := mdm.DeviceSort{By: col, Asc: asc}
				t.Run(fmt.Sprintf("%s-%s", col, sort.Order()), func(t *testing.T) {
					want := slices.Clone(all)
					slices.SortFunc(want, func(a, b mdm.DeviceListing) int {
						c := cmp.Or(cmp.Compare(key[col](a), key[col](b)), cmp.Compare(a.ID, b.ID))
						if !asc {
							c = -c
						}
						return c
					})
					var got []mdm.DeviceListing
					q := mdm.DeviceQuery{Sort: sort, Page: mdm.Page{Limit: 4}}
					for range 20 {
						page, err := svc.DevicePage(ctx, tn, q)
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, page...)
						if len(page) < q.Limit {
							break
						}
						// The cursor goes through its text form, as it does in a link.
						c, err := mdm.ParseCursor(sort.CursorAfter(page[len(page)-1]).String())
						if err != nil {
							t.Fatal(err)
						}
						q.After = c
					}
					ids := func(ds []mdm.DeviceListing) (out []string) {
						for _, d := range ds {
							out = append(out, key[col](d)+"/"+d.ID)
						}
						return out
					}
					if fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
						t.Errorf("pages in %s order:\n got %v\nwant %v", col, ids(got), ids(want))
					}
				})
			}
		}
	})
}
