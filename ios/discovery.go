package ios

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// serveDiscovery answers Apple's service discovery for account-driven enrolment: where
// the enrolment of the managed Apple account in user-identifier begins. The answer lists
// both enrolments, User Enrolment (mdm-byod) and Device Enrollment (mdm-adde), each with
// its BaseURL; the phone takes the one it makes, and the sign-in behind each takes only
// invitations of its ownership.
//
// It answers every well-formed identifier (user@domain with a DNS domain) alike: which
// domains lead here is decided where the operator publishes this path on the domain of the
// managed Apple accounts, and whether the account may enrol is decided at sign-in, by the
// invitation code. A missing or malformed identifier is 404, so nothing is offered to
// requests that are not discovery.
func (p *Platform) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	if !wellFormedAccount(r.URL.Query().Get("user-identifier")) {
		http.Error(w, "no enrolment offered: discovery needs user-identifier, a managed Apple account (user@domain)", http.StatusNotFound)
		return
	}
	body, _ := json.Marshal(discoveryAnswer(p.userEnrolment(), p.deviceEnrolment()))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// discoveryServer is one entry of the discovery answer, with Apple's key names.
type discoveryServer struct {
	Version string
	BaseURL string
}

// discoveryAnswer is the discovery document that offers the ways.
func discoveryAnswer(ways ...enrolmentWay) any {
	servers := make([]discoveryServer, len(ways))
	for i, w := range ways {
		servers[i] = discoveryServer{Version: w.version, BaseURL: w.enrolURL}
	}
	return struct{ Servers []discoveryServer }{servers}
}

// wellFormedAccount reports whether id has the user@domain form Apple requires of a
// managed Apple account: an e-mail address whose domain is a DNS name of two labels or
// more.
func wellFormedAccount(id string) bool {
	if _, err := mdm.NormalizeEmail(id); err != nil || strings.TrimSpace(id) != id {
		return false
	}
	domain := id[strings.LastIndexByte(id, '@')+1:]
	labels := strings.Split(domain, ".")
	if len(domain) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
