package invitation

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

func TestALetterCarriesTheCodeAndItsLink(t *testing.T) {
	public, _ := url.Parse("https://mdm.musterstadt.de/trennwand")
	link := Link(public, "abc123")
	if link != "https://mdm.musterstadt.de/trennwand/e/abc123" {
		t.Errorf("link %s", link)
	}
	inv := enrolment.NewInvitation{Code: "abc123"}
	inv.Employee.Email = "anna@musterstadt.de"
	l := Letter(mdm.Tenant{Name: "musterstadt"}, inv, link)
	if l.Name != "anna@musterstadt.de" || l.URL != link || l.Code != "abc123" {
		t.Errorf("a letter without a name: %+v", l)
	}
	var png bytes.Buffer
	if err := WriteQR(&png, link); err != nil || !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")) {
		t.Errorf("QR code: %v, %q…", err, png.Bytes()[:min(8, png.Len())])
	}
}
