package android

import (
	"net/http"
	"testing"
)

// Calls are named the way Google's reference names the methods, without the IDs in the
// path, so that the label has as many values as the API has methods.
func TestAMAPIMethodNamesCallsWithoutIDs(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{http.MethodPatch, "/v1/enterprises/LC0123/policies/work-7f3a", "enterprises.policies.patch"},
		{http.MethodGet, "/v1/enterprises/LC0123/devices", "enterprises.devices.list"},
		{http.MethodGet, "/v1/enterprises/LC0123/devices/3f2a9b", "enterprises.devices.get"},
		{http.MethodDelete, "/v1/enterprises/LC0123/devices/3f2a9b", "enterprises.devices.delete"},
		{http.MethodPost, "/v1/enterprises/LC0123/devices/3f2a9b:issueCommand", "enterprises.devices.issueCommand"},
		{http.MethodPost, "/v1/enterprises/LC0123/enrollmentTokens", "enterprises.enrollmentTokens.create"},
		{http.MethodGet, "/v1/enterprises/LC0123/applications/com.example.mail", "enterprises.applications.get"},
		{http.MethodPost, "/v1/signupUrls", "signupUrls.create"},
		{http.MethodGet, "/v1/enterprises/LC0123", "enterprises.get"},
		{http.MethodGet, "/v1/anna.schmidt@musterstadt.de", "other"},
		{http.MethodGet, "/v1/enterprises/LC0123/secrets/x", "other"},
		{http.MethodPost, "/v1/enterprises/LC0123/devices/x:a%2Fb", "other"},
		{http.MethodGet, "/", "other"},
	}
	for _, tt := range tests {
		if got := amapiMethod(tt.method, tt.path); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
