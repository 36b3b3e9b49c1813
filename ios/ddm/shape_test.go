package ddm_test

import (
	"slices"
	"testing"

	"github.com/trennwand/trennwand/ios/ddm"
)

// The fingerprint of the sets stays while the code builds the same sets, and changes when
// a set contains something else: here, one status item fewer, as before this release.
func TestTheSetsFingerprintChangesWithWhatASetContains(t *testing.T) {
	shape := func() string {
		t.Helper()
		s, err := ddm.Shape()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	now := shape()
	if again := shape(); again != now {
		t.Fatalf("the fingerprint changed from %s to %s with nothing changed", now, again)
	}
	items := ddm.StatusItems
	t.Cleanup(func() { ddm.StatusItems = items })
	ddm.StatusItems = slices.DeleteFunc(slices.Clone(items), func(s string) bool { return s == "security.certificate.list" })
	if before := shape(); before == now {
		t.Errorf("a set without security.certificate.list has the fingerprint of today's, %s", now)
	}
}
