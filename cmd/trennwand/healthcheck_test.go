package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthcheckFailsWhenTheServerIsNotReady(t *testing.T) {
	notReady := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"status":"not ready"}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(notReady.Close)

	tests := []struct {
		name string
		args []string
		code int
		want string // on stderr
	}{
		{"nothing listens", []string{"--url", "https://" + freeAddr(t) + "/readyz"}, exitFailed, "health check"},
		{"the server answers 503", []string{"--url", notReady.URL + "/readyz"}, exitFailed, "not ready (HTTP 503)"},
		{"an address without a port", []string{"--addr", "localhost"}, exitUsage, `--addr "localhost"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := trennwand(t, append([]string{"healthcheck"}, tt.args...)...)
			r.wantCode(t, tt.code)
			r.wantStderr(t, tt.want)
		})
	}
}
