package amapifake

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	amapi "google.golang.org/api/androidmanagement/v1"
)

// notificationTypes are the values enabledNotificationTypes may hold.
var notificationTypes = []string{"ENROLLMENT", "STATUS_REPORT", "COMMAND", "USAGE_LOGS", "ENTERPRISE_UPGRADE"}

func (f *Fake) createSignupURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	callback, err := url.Parse(q.Get("callbackUrl"))
	if q.Get("projectId") == "" || err != nil || callback.Scheme != "https" {
		writeError(w, http.StatusBadRequest, "projectId and an https callbackUrl are required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := "signupUrls/C" + randomID()
	f.signups[name] = &signup{callbackURL: callback.String(), enterpriseToken: "ET" + randomID()}
	writeJSON(w, http.StatusOK, amapi.SignupUrl{Name: name,
		Url: "https://enterprise.google.com/signup/android/email?origin=android&thirdPartyToken=" + strings.TrimPrefix(name, "signupUrls/")})
}

// CompleteSignup plays the IT admin who opens the sign-up page signupURL and creates the
// enterprise there: it returns the callback URL with the enterpriseToken to which Google's
// page sends the browser, and false for a page the fake did not hand out.
func (f *Fake) CompleteSignup(signupURL string) (string, bool) {
	u, err := url.Parse(signupURL)
	if err != nil {
		return "", false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.signups["signupUrls/"+u.Query().Get("thirdPartyToken")]
	if !ok {
		return "", false
	}
	callback, _ := url.Parse(s.callbackURL)
	q := callback.Query()
	q.Set("enterpriseToken", s.enterpriseToken)
	callback.RawQuery = q.Encode()
	return callback.String(), true
}

// CompleteSignupInto is CompleteSignup by an IT admin whose sign-up ends in the enterprise
// that exists already: Google hands that enterprise back from enterprises.create, with
// what the create asked to set.
func (f *Fake) CompleteSignupInto(signupURL, enterprise string) (string, bool) {
	callback, ok := f.CompleteSignup(signupURL)
	if !ok {
		return "", false
	}
	u, _ := url.Parse(signupURL)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signups["signupUrls/"+u.Query().Get("thirdPartyToken")].existing = enterprise
	return callback, true
}

func (f *Fake) createEnterprise(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var e amapi.Enterprise
	if !readJSON(w, r, &e) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.signups[q.Get("signupUrlName")]
	if q.Get("projectId") == "" || !ok || s.enterpriseToken != q.Get("enterpriseToken") {
		writeError(w, http.StatusBadRequest, "unknown sign-up URL or enterprise token")
		return
	}
	if !validNotifications(e.EnabledNotificationTypes) {
		writeError(w, http.StatusBadRequest, "invalid value at 'enterprise.enabled_notification_types'")
		return
	}
	delete(f.signups, q.Get("signupUrlName"))
	if old, ok := f.enterprises[s.existing]; ok {
		if e.PubsubTopic != "" || len(e.EnabledNotificationTypes) > 0 {
			old.PubsubTopic, old.EnabledNotificationTypes = e.PubsubTopic, e.EnabledNotificationTypes
		}
		writeJSON(w, http.StatusOK, old)
		return
	}
	e.Name = "enterprises/LC" + randomID()
	f.enterprises[e.Name] = &e
	writeJSON(w, http.StatusOK, e)
}

func (f *Fake) patchEnterprise(w http.ResponseWriter, r *http.Request) {
	var patch amapi.Enterprise
	if !readJSON(w, r, &patch) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.enterprises["enterprises/"+r.PathValue("e")]
	if !ok {
		notFound(w, "enterprise")
		return
	}
	if !validNotifications(patch.EnabledNotificationTypes) {
		writeError(w, http.StatusBadRequest, "invalid value at 'enterprise.enabled_notification_types'")
		return
	}
	mask := r.URL.Query().Get("updateMask")
	for _, field := range strings.Split(mask, ",") {
		switch field {
		case "pubsubTopic":
			e.PubsubTopic = patch.PubsubTopic
		case "enabledNotificationTypes":
			e.EnabledNotificationTypes = patch.EnabledNotificationTypes
		case "enterpriseDisplayName":
			e.EnterpriseDisplayName = patch.EnterpriseDisplayName
		case "":
			e.PubsubTopic, e.EnabledNotificationTypes = patch.PubsubTopic, patch.EnabledNotificationTypes
		default:
			writeError(w, http.StatusBadRequest, "unsupported field in updateMask: "+field)
			return
		}
	}
	writeJSON(w, http.StatusOK, e)
}

func validNotifications(types []string) bool {
	for _, t := range types {
		if !slices.Contains(notificationTypes, t) {
			return false
		}
	}
	return true
}

func (f *Fake) getApplication(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.knownEnterprise(w, r) {
		return
	}
	app, ok := f.apps[r.PathValue("app")]
	if !ok {
		notFound(w, "application")
		return
	}
	out := *app
	out.Name = "enterprises/" + r.PathValue("e") + "/applications/" + r.PathValue("app")
	writeJSON(w, http.StatusOK, out)
}
