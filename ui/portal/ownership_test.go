package portal_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// The notice of a company-owned phone says, in German and English, that the phone is the
// employer's and what the employer may see and do besides; what stays private is said as on
// the employee's own phone. After the notice the Android phone is set up from its welcome
// screen with the provisioning QR code, never with the enrolment link.
func TestACompanyOwnedPhonesNoticeAndSetUp(t *testing.T) {
	f := newFixture(t)
	inv := f.invite(enrolment.InviteRequest{Email: "hof@musterstadt.de", Platform: mdm.PlatformAndroid, Ownership: mdm.OwnershipCompany})
	status, _, page := f.do("GET", "/e/"+inv.Code, nil, "User-Agent", androidUA)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	company, _ := mdm.PrivacyNotice(mdm.PlatformAndroid, mdm.OwnershipCompany)
	own, _ := mdm.PrivacyNotice(mdm.PlatformAndroid, mdm.OwnershipPersonal)
	mustContain(t, page, "Das Telefon gehört Ihrem Arbeitgeber; private Nutzung ist erlaubt.", "Seriennummer und die weiteren Kennungen des Telefons (bei Android die IMEI")
	for _, it := range slices.Concat(company.CanSee, company.CanDo, company.CannotSee, company.CannotDo) {
		if !strings.ContainsAny(it.Text.DE, `"'`) {
			mustContain(t, page, it.Text.DE)
		}
	}
	for _, it := range own.CannotSee {
		if it.ID == "cannot_see.hardware_ids" && strings.Contains(page, it.Text.DE) {
			t.Error("the notice of a company-owned phone promises that its hardware identifiers are not seen")
		}
	}
	_, _, english := f.do("GET", "/e/"+inv.Code+"?lang=en", nil, "User-Agent", androidUA)
	mustContain(t, english, "The phone belongs to your employer; private use is allowed.", "serial number and its other identifiers (the IMEI on Android")

	if status, _, _ := f.do("POST", "/e/"+inv.Code+"/accept", accept(mdm.PlatformAndroid)); status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	_, _, page = f.do("GET", "/e/"+inv.Code, nil, "User-Agent", androidUA)
	mustContain(t, page, "sechsmal", "/e/"+inv.Code+"/android.png")
	if strings.Contains(page, "enterprise.google.com/android/enroll") {
		t.Error("a company-owned phone is offered the enrolment link of the employee's own phone")
	}
	status, h, png := f.do("GET", "/e/"+inv.Code+"/android.png", nil)
	if status != http.StatusOK || h.Get("Content-Type") != "image/png" || !strings.HasPrefix(png, "\x89PNG") {
		t.Errorf("QR code: %d %s", status, h.Get("Content-Type"))
	}
}
