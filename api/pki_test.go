package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/api"
)

// fakePKI publishes fixed CA material and answers SCEP with the path it was asked for.
type fakePKI struct{ crlErr error }

func (fakePKI) SCEPHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("scep " + r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery))
	})
}
func (fakePKI) CAPEM() []byte          { return []byte("-----BEGIN CERTIFICATE-----\n") }
func (f fakePKI) CRL() ([]byte, error) { return []byte{0x30, 0x01}, f.crlErr }

func TestPKIRoutes(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.PKI = fakePKI{} })
	h.serve(t)
	cases := []struct {
		method, path, wantType, wantBody string
	}{
		{"GET", "/pki/ca.pem", "application/pem-certificate-chain", "BEGIN CERTIFICATE"},
		{"GET", "/pki/crl", "application/pkix-crl", "\x30\x01"},
		{"GET", "/scep/devices?operation=GetCACaps", "", "scep GET /scep/devices?operation=GetCACaps"},
		{"GET", "/scep/devices/pkiclient.exe?operation=GetCACert", "", "scep GET /scep/devices/pkiclient.exe"},
		{"POST", "/scep/devices?operation=PKIOperation", "", "scep POST /scep/devices"},
	}
	for _, c := range cases {
		resp, body := h.do(t, c.method, c.path, strings.NewReader("x"))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.wantBody) ||
			(c.wantType != "" && resp.Header.Get("Content-Type") != c.wantType) {
			t.Errorf("%s %s: %d %q %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

func TestCRLFailureIsAServerError(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.PKI = fakePKI{crlErr: errors.New("database gone")} })
	h.serve(t)
	resp, body := h.do(t, "GET", "/pki/crl", nil)
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "database gone") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
}
