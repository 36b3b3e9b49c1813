package ios

import (
	"errors"
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
)

// maxTokenLength bounds a bearer token read from a request; trennwand's are 43 characters.
const maxTokenLength = 128

// bearerToken reads the token of an "Authorization: Bearer …" header: "" when there is
// none or it is not a token trennwand could have issued (base64url characters only).
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxTokenLength {
		return ""
	}
	for _, c := range token {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}
	return token
}

// authenticate returns the device whose enrolment token the request carries. When it
// carries none, or one that authenticates no device, it answers 401 with the challenge that
// sends the phone to the web sign-in page at signInURL, and returns false.
func (p *Platform) authenticate(w http.ResponseWriter, r *http.Request, signInURL string) (mdm.Device, bool) {
	token := bearerToken(r)
	d, err := p.devices.Load(enrolment.HashEnrolmentToken(token), func() (mdm.Device, error) {
		return p.svc.Enrolment.DeviceByEnrolmentToken(r.Context(), token)
	})
	if err == nil && d.Platform == mdm.PlatformIOS {
		return d, true
	}
	if err != nil && !errors.Is(err, mdm.ErrNotFound) {
		p.log.Error("look up enrolment token", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return mdm.Device{}, false
	}
	challenge(w, signInURL)
	return mdm.Device{}, false
}

// challenge answers 401 with the account-driven enrolment's challenge: sign in on the web
// page at signInURL. An enrolled phone that gets it asks its user to sign in again; it does
// not unenrol.
func challenge(w http.ResponseWriter, signInURL string) {
	w.Header().Set("WWW-Authenticate", `Bearer method="apple-as-web", url="`+signInURL+`"`)
	http.Error(w, "sign in on "+signInURL, http.StatusUnauthorized)
}

// keptDevices returns the memory of the devices by their enrolment token's hash.
func keptDevices(changes *store.Changes) *store.KeptDevices {
	return store.NewKeptDevices(changes, store.KeptPhones)
}
