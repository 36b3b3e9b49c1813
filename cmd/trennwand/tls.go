package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"
)

// serverTLS returns the TLS configuration of the server: the operator's certificate when
// given, else one issued by the installation's CA for the public host and localhost, kept
// in the data directory and renewed in the background before it ends.
func serverTLS(ctx context.Context, in *installation, operator *tls.Certificate) (*tls.Config, error) {
	if operator != nil {
		return &tls.Config{Certificates: []tls.Certificate{*operator}, MinVersion: tls.VersionTLS12}, nil
	}
	issue := func(ctx context.Context) (*tls.Certificate, error) {
		hosts := []string{in.cfg.PublicURL.Hostname(), "localhost", "127.0.0.1", "::1"}
		cert, err := in.ca.ServerCertificate(ctx, filepath.Join(in.cfg.DataDir, "server.crt"),
			filepath.Join(in.cfg.DataDir, "server.key"), hosts)
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
					in.log.Error("renew server certificate", "error", err)
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
