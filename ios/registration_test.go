package ios_test

import (
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The core's tests stand in for iPhones with storetest.IOS; it says what the platform
// registers, and the privacy notice promises nothing the platform cannot carry out.
func TestTheIPhoneRegistrationIsWhatTheCoreIsTestedWith(t *testing.T) {
	reg := ios.Registration()
	storetest.CheckRegistration(t, reg, storetest.IOS)
	if reg.Can.Has(mdm.CanLockWork) || reg.Can.Has(mdm.RevocableWhileManaged) {
		t.Fatal("a User Enrolment registers a lock of the work container or certificates revocable while managed")
	}
}
