// Package openidtest runs an OpenID Connect provider the project did not write
// (github.com/oauth2-proxy/mockoidc) on its own TLS listener, for the tests of the
// sign-ins through a tenant's provider: in-process with the client that trusts it, or
// for a program of its own with the certificate to name in SSL_CERT_FILE.
package openidtest

import (
	"crypto/tls"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

// Provider is a running mockoidc: discovery, the authorization endpoint, the token
// endpoint that checks the client's secret and the PKCE verifier, and ID tokens signed
// with its key. Each sign-in takes the next queued user.
type Provider struct {
	*mockoidc.MockOIDC
	// Client trusts the provider's certificate.
	Client *http.Client
	// CertPEM is the provider's certificate, for SSL_CERT_FILE.
	CertPEM []byte
}

// Start runs a provider until the test ends; middleware wraps its handler (to add what
// mockoidc lacks, such as a sign-out endpoint in the discovery document).
func Start(t testing.TB, middleware ...func(http.Handler) http.Handler) *Provider {
	t.Helper()
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	cfg, client, cert := ts.TLS.Clone(), ts.Client(), ts.Certificate()
	ts.Close()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, mw := range middleware {
		if err := m.AddMiddleware(mw); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(tls.NewListener(ln, cfg), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return &Provider{MockOIDC: m, Client: client, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})}
}
