package android_test

import (
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The core's tests stand in for Android phones with storetest.Android; it says what the
// platform registers, and the privacy notice promises nothing the platform cannot carry
// out.
func TestTheAndroidRegistrationIsWhatTheCoreIsTestedWith(t *testing.T) {
	storetest.CheckRegistration(t, android.Registration(), storetest.Android)
}
