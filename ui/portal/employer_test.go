package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// employerHeader is how the portal's header names the employer beside the product.
const employerHeader = `<span class="tenant">Stadt Musterstadt</span>`

// Every step of the portal names in its header the employer who sent the invitation (the
// tenant's display name, never its technical name): the notice, the iPhone's steps, the
// status page, the confirmation of a removal, the page that says IT is still setting up and
// the page of a removed work area. A code that leads nowhere names nobody.
func TestEveryStepNamesTheEmployerInItsHeader(t *testing.T) {
	ready := true
	ios, android := storetest.IOS, storetest.Android
	ios.Setup, android.Setup = switchable{&ready}, switchable{&ready}
	f := newFixtureWith(t, mdm.WithPlatforms(ios, android))
	header := func(step, path string, want bool) {
		t.Helper()
		_, _, page := f.do(http.MethodGet, path, nil)
		if got := strings.Contains(page, employerHeader); got != want {
			t.Errorf("%s: the header names the employer: %v, want %v\n%.600s", step, got, want, page)
		}
		if strings.Contains(page, `<span class="tenant">musterstadt</span>`) {
			t.Errorf("%s: the header shows the tenant's technical name", step)
		}
	}

	anna := f.invite(enrolment.InviteRequest{Email: "anna@musterstadt.de", Platform: mdm.PlatformAndroid})
	header("notice", "/e/"+anna.Code, true)
	f.do(http.MethodPost, "/e/"+anna.Code+"/accept", accept(mdm.PlatformAndroid))
	d := f.onlyDevice()
	f.phoneGetsInTouch(d, true)
	header("status", "/e/"+anna.Code, true)
	header("removal", "/e/"+anna.Code+"/remove?device="+d.ID, true)

	ina := f.invite(enrolment.InviteRequest{Email: "ina@musterstadt.de", Platform: mdm.PlatformIOS, ManagedAppleID: "ina@appleid.musterstadt.de"})
	f.do(http.MethodPost, "/e/"+ina.Code+"/accept", accept(mdm.PlatformIOS))
	header("iPhone steps", "/e/"+ina.Code, true)
	ready = false
	header("still setting up", "/e/"+ina.Code, true)
	ready = true

	f.do(http.MethodPost, "/e/"+anna.Code+"/remove", url.Values{"device": {d.ID}, "confirm": {"yes"}})
	if err := f.svc.ConfirmRemoval(context.Background(), "test", f.tenant.ID, d.ID, "done"); err != nil {
		t.Fatal(err)
	}
	header("removed", "/e/"+anna.Code, true)
	header("unknown code", "/e/ABCD-EFGH-JKLM", false)
	header("typing a code", "/e/", false)
}
