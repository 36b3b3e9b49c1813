package android

import (
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm/metrics"
)

// notificationType is a Pub/Sub notification's type as a label: the types Google
// documents, anything else "other".
func notificationType(t string) string {
	switch t {
	case NotificationEnrollment, NotificationStatusReport, NotificationCommand, "USAGE_LOGS", "ENTERPRISE_UPGRADE", "TEST":
		return t
	}
	return metrics.Other
}

// counted counts each call to the Android Management API by method and status.
type counted struct {
	next   http.RoundTripper
	events *metrics.Events
}

func (c counted) RoundTrip(r *http.Request) (*http.Response, error) {
	next := c.next
	if next == nil {
		next = http.DefaultTransport
	}
	res, err := next.RoundTrip(r)
	code := 0
	if err == nil {
		code = res.StatusCode
	}
	c.events.AMAPICall(amapiMethod(r.Method, r.URL.Path), code)
	return res, err
}

// amapiResources are the API's collections; a path naming anything else is "other".
var amapiResources = map[string]bool{
	"enterprises": true, "policies": true, "devices": true, "enrollmentTokens": true, "webTokens": true,
	"applications": true, "operations": true, "signupUrls": true, "webApps": true, "migrationTokens": true,
	"provisioningInfo": true,
}

// amapiMethod names a REST call the way Google's reference does, from the path's
// collections and the HTTP method, without the IDs: PATCH /v1/enterprises/E/policies/P is
// "enterprises.policies.patch", POST /v1/enterprises/E/devices/D:issueCommand
// "enterprises.devices.issueCommand".
func amapiMethod(method, path string) string {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	if len(segments) > 0 && segments[0] == "v1" {
		segments = segments[1:]
	}
	if len(segments) == 0 {
		return metrics.Other
	}
	last := segments[len(segments)-1]
	verb := ""
	if i := strings.LastIndexByte(last, ':'); i >= 0 {
		segments[len(segments)-1], verb = last[:i], last[i+1:]
	}
	var names []string
	for i := 0; i < len(segments); i += 2 {
		if !amapiResources[segments[i]] {
			return metrics.Other
		}
		names = append(names, segments[i])
	}
	onCollection := len(segments)%2 == 1
	switch {
	case verb != "":
		if !isWord(verb) {
			return metrics.Other
		}
	case method == http.MethodGet && onCollection:
		verb = "list"
	case method == http.MethodPost && onCollection:
		verb = "create"
	default:
		verb = strings.ToLower(method)
	}
	return strings.Join(names, ".") + "." + verb
}

// isWord reports whether s is a short run of ASCII letters, as Google's custom verbs are.
func isWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
