package dataprotection

import (
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// The inactivity rule asks the platform's capabilities: the work container is locked only
// where it can be, whatever else the platform can or cannot do.
func TestInactivityAsksForCapabilities(t *testing.T) {
	all := mdm.Capability(0)
	for _, c := range mdm.AllCapabilities() {
		all |= c
	}
	active := mdm.Device{Platform: "newos", State: mdm.DeviceActive}
	for _, can := range append(mdm.AllCapabilities(), 0, all) {
		if got := inactivityAction(InactivityLock, active, can); (got == inactivityLocked) != can.Has(mdm.CanLockWork) {
			t.Errorf("inactivity on a platform that can %q: %s", can, got)
		}
	}
}
