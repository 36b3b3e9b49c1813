package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// In demo mode Apple Business Manager works end to end without Apple: the demo tenant's
// server token from the fake is uploaded at start, its three bought devices are synced,
// and the administrator sees the token's state, the devices and the certificate in the
// API (the dashboard's page reads the same), and can have the devices read again.
func TestTheDemoIsConnectedToAppleBusinessManager(t *testing.T) {
	s := emptySite(t, "sqlite")
	srv := startServe(t, append(s.flags, "--demo", "--demo-devices", "0")...)
	srv.waitServing(t)
	defer srv.stop(t)
	var tok struct{ Token string }
	s.run(t, "token", "create", "--tenant", "default", "--role", "admin", "--json").decode(t, &tok)
	call := func(method, path string, payload ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.url(path), strings.NewReader(strings.Join(payload, "")))
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		if len(payload) > 0 {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := insecureClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		code, body := call(http.MethodGet, "/api/v1/apple/dep-token")
		var state struct {
			Uploaded bool
			Devices  int
			Problem  string
		}
		_ = json.Unmarshal([]byte(body), &state)
		if code == http.StatusOK && state.Uploaded && state.Devices == 3 && state.Problem == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo's server token: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body := call(http.MethodGet, "/api/v1/apple/dep-devices"); code != http.StatusOK || !strings.Contains(body, "DEMO00000001") {
		t.Errorf("the demo's bought devices: %d %s", code, body)
	}
	// The demo leaves a server token file of its fake in the data directory, which IT
	// uploads as it would Apple's.
	file, err := os.ReadFile(filepath.Join(s.data, "demo-server-token.p7m"))
	if err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]string{"token": string(file)})
	if code, body := call(http.MethodPut, "/api/v1/apple/dep-token", string(in)); code != http.StatusOK || !strings.Contains(body, `"uploaded":true`) {
		t.Errorf("uploading the demo's server token file: %d %s", code, body)
	}
	if code, body := call(http.MethodPost, "/api/v1/apple/dep-token/sync"); code != http.StatusAccepted {
		t.Errorf("sync now: %d %s", code, body)
	}
	for {
		code, body := call(http.MethodGet, "/api/v1/apple/dep-token")
		if code == http.StatusOK && strings.Contains(body, `"devices":3`) && strings.Contains(body, `"problem":""`) && strings.Contains(body, `"synced_at"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the upload: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	code, body := call(http.MethodGet, "/api/v1/apple/dep-token/certificate")
	r := s.run(t, "apple", "dep-token", "cert", "--tenant", "default")
	r.wantCode(t, 0)
	var cert struct{ Certificate string }
	if err := json.Unmarshal([]byte(body), &cert); code != http.StatusOK || err != nil || cert.Certificate != r.stdout {
		t.Errorf("the API's certificate is not the command line's: %d %s\n%s", code, body, r.stdout)
	}
}
