package audit

import (
	"slices"
	"testing"
)

// Every action of the catalogue sits in exactly one group of the audit page's filter, so
// that filtering by groups misses no kind of event.
func TestEveryActionHasAGroup(t *testing.T) {
	var all []Action
	for _, g := range Groups {
		if g == GroupAccess {
			continue
		}
		all = append(all, g.Actions()...)
	}
	catalogue := Actions()
	slices.Sort(all)
	slices.Sort(catalogue)
	if !slices.Equal(all, catalogue) {
		t.Errorf("the groups hold %v,\nthe catalogue %v", all, catalogue)
	}
	for _, a := range AccessActions {
		if !slices.Contains(GroupAccess.Actions(), a) {
			t.Errorf("%s is missing from the access group", a)
		}
	}
}

func TestAPartyIsReadFromItsReference(t *testing.T) {
	cases := map[string]Party{
		"admin:a1":          {Kind: Admin, ID: "a1"},
		"device:d1":         {Kind: Device, ID: "d1"},
		"system":            {Kind: ActorSystem},
		"cli:root":          {Kind: ActorCLI, ID: "root"},
		"client:192.0.2.1":  {Kind: ActorClient, ID: "192.0.2.1"},
		"android":           {Kind: ActorPlatform, ID: "android"},
		"something:strange": {Kind: ActorPlatform, ID: "something:strange"},
		"":                  {},
	}
	for ref, want := range cases {
		if got := PartyOf(ref); got != want {
			t.Errorf("PartyOf(%q) = %+v, want %+v", ref, got, want)
		}
	}
}
