package pki

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Identity names the enrolment a device certificate belongs to. It is written into the
// certificate as a URI SAN, trennwand://<tenant>/enrolment/<enrolment>, so that a mail
// gateway, VPN or Wi-Fi that trusts the CA can tell tenants and devices apart.
type Identity struct {
	TenantID    string
	EnrolmentID string
}

const identityScheme = "trennwand"

// identityPart is what tenant and enrolment IDs look like: the domain's random IDs.
var identityPart = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks that both parts are plain identifiers, so that they cannot break out of
// the URI or the certificate template they are written into.
func (id Identity) Validate() error {
	if !identityPart.MatchString(id.TenantID) || !identityPart.MatchString(id.EnrolmentID) {
		return fmt.Errorf("enrolment identity %q/%q: tenant and enrolment must be lower-case identifiers", id.TenantID, id.EnrolmentID)
	}
	return nil
}

// URI is the identity as written into the certificate.
func (id Identity) URI() string {
	return identityScheme + "://" + id.TenantID + "/enrolment/" + id.EnrolmentID
}

// identityOf reads the enrolment identity from a certificate the CA issued; false for a
// certificate without one (the server's own TLS certificate).
func identityOf(cert *x509.Certificate) (Identity, bool) {
	for _, u := range cert.URIs {
		if id, ok := parseIdentityURI(u); ok {
			return id, true
		}
	}
	return Identity{}, false
}

func parseIdentityURI(u *url.URL) (Identity, bool) {
	if u.Scheme != identityScheme {
		return Identity{}, false
	}
	enrolment, ok := strings.CutPrefix(u.Path, "/enrolment/")
	id := Identity{TenantID: u.Host, EnrolmentID: enrolment}
	return id, ok && id.Validate() == nil
}
