package mdm_test

import (
	"fmt"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// The work apps shown for a device are the policy's apps of its platform, each with what
// the platform reported or "not reported"; an app the platform reports that the policy
// does not put there (a private app) is never among them.
func TestWorkAppsOfShowsThePolicysAppsOnly(t *testing.T) {
	p := mdm.WorkPolicy{Apps: []mdm.AppAssignment{
		{Platform: mdm.PlatformAndroid, AppID: "de.stadt.mail"},
		{Platform: mdm.PlatformAndroid, AppID: "de.stadt.akte"},
		{Platform: mdm.PlatformIOS, AppID: "de.stadt.ios.mail"},
	}}
	reported := []mdm.WorkApp{
		{AppID: "com.whatsapp", Version: "2.24", State: mdm.AppInstalled},
		{AppID: "de.stadt.mail", Version: "4.2", State: mdm.AppInstalled},
		{AppID: "de.stadt.ios.mail", State: mdm.AppFailed},
	}
	got := mdm.WorkAppsOf(mdm.Device{Platform: mdm.PlatformAndroid}, p, reported)
	want := []mdm.WorkApp{{AppID: "de.stadt.mail", Version: "4.2", State: mdm.AppInstalled}, {AppID: "de.stadt.akte", State: mdm.AppNotReported}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("WorkAppsOf = %+v, want %+v", got, want)
	}
}
