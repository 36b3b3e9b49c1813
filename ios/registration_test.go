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
	if reg.Platform != mdm.PlatformIOS || reg.Can != storetest.IOS.Can {
		t.Fatalf("registered %s can %q; the core is tested with %s can %q", reg.Platform, reg.Can, storetest.IOS.Platform, storetest.IOS.Can)
	}
	if reg.Can.Has(mdm.CanLockWork) || reg.Can.Has(mdm.RevocableWhileManaged) {
		t.Fatal("a User Enrolment registers a lock of the work container or certificates revocable while managed")
	}
	notice, err := mdm.PrivacyNotice(reg.Platform)
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range notice.CanDo {
		for _, k := range item.Commands {
			if !reg.Can.Carries(k) {
				t.Errorf("the notice promises %s (%s), which an iPhone cannot carry out", k, item.ID)
			}
		}
	}
}
