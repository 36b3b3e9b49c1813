package store_test

import (
	"testing"

	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A memory kept by a key of its own (a token) drops every value of the row a change names
// (both tokens of a device), and only those; values pushed out by newer ones leave nothing
// behind that a later change could trip over.
func TestKeptByDropsEveryKeyOfTheChangedRow(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	follow(t, s, withoutNotify)
	kept := store.NewKeptBy[string](s.Changes(), 3, "device", func(device string) string { return device }, nil)
	reads := map[string]int{}
	load := func(token, device string) {
		t.Helper()
		if _, err := kept.Load(token, func() (string, error) { reads[token]++; return device, nil }); err != nil {
			t.Fatal(err)
		}
	}
	load("first token", "d1")
	load("second token", "d1")
	load("other token", "d2")
	record(t, s, "device:d1")
	load("first token", "d1")
	load("second token", "d1")
	load("other token", "d2")
	if reads["first token"] != 2 || reads["second token"] != 2 || reads["other token"] != 1 {
		t.Errorf("reads %v after a change of d1, want both of d1's tokens read again and d2's not", reads)
	}

	for _, token := range []string{"fourth", "fifth", "sixth"} {
		load(token, "d3")
	}
	record(t, s, "device:d1", "device:d3")
	if kept.Len() != 0 {
		t.Errorf("%d values kept after their rows changed, want none", kept.Len())
	}
}
