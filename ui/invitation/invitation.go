// Package invitation is a new invitation as it reaches the employee outside the portal:
// the portal link with its code, a QR code image of that link, and the printed letter
// (which ui/portal lays out).
package invitation

import (
	"cmp"
	"io"
	"net/url"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui/portal"
)

// Link is the portal address the code opens: the QR code's target.
func Link(publicURL *url.URL, code string) string {
	return publicURL.JoinPath("/e/", code).String()
}

// WriteQR writes a PNG QR code of link, large enough to print.
func WriteQR(w io.Writer, link string) error {
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		return err
	}
	_, err = w.Write(png)
	return err
}

// Letter is the printed letter of a new invitation of the tenant, addressed by name or,
// without one, by e-mail address.
func Letter(t mdm.Tenant, inv enrolment.NewInvitation, link string) portal.Letter {
	return portal.Letter{Tenant: t, Name: cmp.Or(inv.Employee.Name, inv.Employee.Email), Email: inv.Employee.Email,
		URL: link, Code: inv.Code, Expires: inv.Invitation.ExpiresAt, Company: inv.Invitation.Ownership.Company()}
}
