package installation

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/viper"

	"github.com/trennwand/trennwand/mdm/siem"
)

// SIEMConfig is where the server sends the audit events of the tenants whose feed is on:
// a syslog receiver over TLS, an HTTPS webhook, both or neither.
type SIEMConfig struct {
	// SyslogAddr is the syslog receiver's host:port; empty sends no syslog.
	SyslogAddr string
	// SyslogRoots are the CAs its certificate must come from; nil means the system's.
	SyslogRoots *x509.CertPool
	// SyslogClientCert, if set, is the certificate with which the server proves itself to
	// a receiver that asks for one (RFC 5425's mutual authentication).
	SyslogClientCert *tls.Certificate
	// WebhookURL is the webhook's https:// address; empty sends to no webhook.
	WebhookURL string
	// WebhookRoots are the CAs its certificate must come from; nil means the system's.
	WebhookRoots *x509.CertPool
	// WebhookSecret is the signing secret read from the file given; empty uses the one
	// kept sealed in the database.
	WebhookSecret []byte
}

// parseSIEM reads and checks the SIEM feed's settings.
func parseSIEM(v *viper.Viper) (SIEMConfig, error) {
	var c SIEMConfig
	var err error
	if c.SyslogAddr = v.GetString("siem-syslog"); c.SyslogAddr != "" {
		if host, port, err := net.SplitHostPort(c.SyslogAddr); err != nil || host == "" || port == "" {
			return c, fmt.Errorf("syslog receiver %q: write host:port, for example siem.example.org:6514 (--siem-syslog, TRENNWAND_SIEM_SYSLOG)", c.SyslogAddr)
		}
	}
	if c.SyslogRoots, err = readRoots("siem-syslog-ca", v.GetString("siem-syslog-ca"), c.SyslogAddr != "", "--siem-syslog"); err != nil {
		return c, err
	}
	if cert, key := v.GetString("siem-syslog-cert"), v.GetString("siem-syslog-key"); cert != "" || key != "" {
		if c.SyslogAddr == "" {
			return c, fmt.Errorf("--siem-syslog-cert and --siem-syslog-key are given without --siem-syslog")
		}
		if cert == "" || key == "" {
			return c, fmt.Errorf("give both --siem-syslog-cert and --siem-syslog-key, or neither")
		}
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return c, fmt.Errorf("syslog client certificate (--siem-syslog-cert, --siem-syslog-key): %w", err)
		}
		c.SyslogClientCert = &pair
	}
	if c.WebhookURL = v.GetString("siem-webhook"); c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			return c, fmt.Errorf("webhook %q: write the receiver's https:// address, without user or password (--siem-webhook, TRENNWAND_SIEM_WEBHOOK)", c.WebhookURL)
		}
	}
	if c.WebhookRoots, err = readRoots("siem-webhook-ca", v.GetString("siem-webhook-ca"), c.WebhookURL != "", "--siem-webhook"); err != nil {
		return c, err
	}
	if file := v.GetString("siem-webhook-secret-file"); file != "" {
		if c.WebhookURL == "" {
			return c, fmt.Errorf("--siem-webhook-secret-file is given without --siem-webhook")
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			return c, fmt.Errorf("webhook secret (--siem-webhook-secret-file, TRENNWAND_SIEM_WEBHOOK_SECRET_FILE): %w", err)
		}
		c.WebhookSecret = []byte(strings.TrimSpace(string(raw)))
		if len(c.WebhookSecret) < siem.MinWebhookSecret {
			return c, fmt.Errorf("webhook secret in %s: %d bytes; give at least %d (for example: openssl rand -base64 48 > %s)",
				file, len(c.WebhookSecret), siem.MinWebhookSecret, file)
		}
	}
	return c, nil
}

// readRoots reads a PEM file of CA certificates for the setting name; empty means the
// system's roots. It refuses a file for a receiver that is not configured.
func readRoots(name, file string, used bool, needs string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	if !used {
		return nil, fmt.Errorf("--%s is given without %s", name, needs)
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--%s %s: no PEM certificate in the file", name, file)
	}
	return pool, nil
}
