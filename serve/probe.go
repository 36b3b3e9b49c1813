package serve

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrNotReady is returned by Probe when the server answers but is not ready.
var ErrNotReady = errors.New("not ready")

// Probe asks a running server's readiness URL whether it is ready. The server's
// certificate is not verified, because the probe runs beside the server (container health
// checks, where no curl is available).
func Probe(target string) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // probe of the local server
	}}
	resp, err := client.Get(target)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check %s: %w (HTTP %d)", target, ErrNotReady, resp.StatusCode)
	}
	return nil
}
