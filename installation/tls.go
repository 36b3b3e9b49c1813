package installation

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"
)

// OperatorCertificate loads the certificate of --tls-cert and --tls-key; nil when the
// operator gave none. It belongs to the configuration: one that cannot be loaded is
// refused before anything is created.
func OperatorCertificate(cfg Config) (*tls.Certificate, error) {
	if cfg.TLSCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate: %w", err)
	}
	return &cert, nil
}

// ServerTLS returns the TLS configuration of the server: the operator's certificate when
// given, else one issued by the installation's CA for the public host and localhost, kept
// in the data directory and renewed in the background, until ctx ends, before it expires.
func (in *Installation) ServerTLS(ctx context.Context, operator *tls.Certificate) (*tls.Config, error) {
	if operator != nil {
		return &tls.Config{Certificates: []tls.Certificate{*operator}, MinVersion: tls.VersionTLS12}, nil
	}
	ca, err := in.CA(ctx)
	if err != nil {
		return nil, err
	}
	issue := func(ctx context.Context) (*tls.Certificate, error) {
		hosts := []string{in.Config.PublicURL.Hostname(), "localhost", "127.0.0.1", "::1"}
		cert, err := ca.ServerCertificate(ctx, filepath.Join(in.Config.DataDir, "server.crt"),
			filepath.Join(in.Config.DataDir, "server.key"), hosts)
		if err != nil {
			return nil, fmt.Errorf("server certificate: %w", err)
		}
		return &cert, nil
	}
	first, err := issue(ctx)
	if err != nil {
		return nil, err
	}
	var current atomic.Pointer[tls.Certificate]
	current.Store(first)
	go func() {
		// Renewal happens weeks before the end; checking twice a day is plenty, and a
		// restart checks too.
		ticker := time.NewTicker(12 * time.Hour)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				if cert, err := issue(ctx); err != nil {
					in.Log.Error("renew server certificate", "error", err)
				} else {
					current.Store(cert)
				}
			}
		}
	}()
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return current.Load(), nil },
	}, nil
}
