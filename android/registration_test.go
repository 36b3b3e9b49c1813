package android_test

import (
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The core's tests stand in for Android phones with storetest.Android; it says what the
// platform registers, and the privacy notice promises nothing the platform cannot carry
// out.
func TestTheAndroidRegistrationIsWhatTheCoreIsTestedWith(t *testing.T) {
	reg := android.Registration()
	if reg.Platform != mdm.PlatformAndroid || reg.Can != storetest.Android.Can {
		t.Fatalf("registered %s can %q; the core is tested with %s can %q", reg.Platform, reg.Can, storetest.Android.Platform, storetest.Android.Can)
	}
	notice, err := mdm.PrivacyNotice(reg.Platform)
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range notice.CanDo {
		for _, k := range item.Commands {
			if !reg.Can.Carries(k) {
				t.Errorf("the notice promises %s (%s), which an Android phone cannot carry out", k, item.ID)
			}
		}
	}
}
