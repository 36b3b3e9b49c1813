package main

import (
	"time"

	"github.com/spf13/cobra"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/serve"
)

func newServeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "serve",
		Short: "Start the server (creates the installation on an empty data directory)",
		Long: `Start the HTTPS server.

On an empty data directory it creates the SQLite database (or uses TRENNWAND_DB),
applies the schema, creates the tenant "default" and a first administrator, and
prints the sign-in details once. Later starts apply pending schema upgrades.

Only one server may use a data directory at a time; a second one refuses to start.
SIGTERM or SIGINT stops the server after the requests in flight have finished.`,
		Example: `  trennwand serve
  TRENNWAND_DB=postgres://trennwand:secret@db:5432/trennwand trennwand serve --public-url https://mdm.musterstadt.de`,
		Args: exactArgs(),
		RunE: runServe,
	}
	f := c.Flags()
	f.String("addr", ":8443", "address to listen on for HTTPS; env TRENNWAND_ADDR")
	f.String("memory-limit", inst.DefaultMemoryLimit, "the Go runtime's soft memory limit (GOMEMLIMIT, which wins when set): memory beyond it is collected and given back sooner; off for none; env TRENNWAND_MEMORY_LIMIT")
	f.String("metrics-addr", "", "address to serve /metrics on (HTTPS, nothing else there), e.g. 10.0.0.5:9443; unset, the main listener answers /metrics to clients on this host only; env TRENNWAND_METRICS_ADDR")
	f.Bool("metrics-tenant-label", false, "label the per-tenant metrics (devices, audit trail, certificate and token expiry) with the tenant's name; off, they are summed over the tenants or show the worst one; env TRENNWAND_METRICS_TENANT_LABEL")
	f.String("tls-cert", "", "PEM server certificate (default: one issued by the embedded CA, kept in the data directory); env TRENNWAND_TLS_CERT")
	f.String("tls-key", "", "PEM private key of --tls-cert; env TRENNWAND_TLS_KEY")
	f.String("admin-email", "admin@localhost", "e-mail address of the first administrator, used on an empty installation; env TRENNWAND_ADMIN_EMAIL")
	f.String("amapi-endpoint", "", "Android Management API base URL (a partner proxy or a fake); env TRENNWAND_AMAPI_ENDPOINT")
	f.String("amapi-credentials", "", "service-account JSON file for the Android Management API; env TRENNWAND_AMAPI_CREDENTIALS")
	f.String("apns-url", "", "Apple Push Notification service base URL; env TRENNWAND_APNS_URL")
	f.String("vpp-url", "", "Apple Apps and Books for Organizations API base URL (default Apple's); env TRENNWAND_VPP_URL")
	f.String("vpp-metadata-url", "", "Apple's app metadata lookup base URL (default Apple's); env TRENNWAND_VPP_METADATA_URL")
	f.String("dep-url", "", "Apple's device assignment service base URL for Automated Device Enrollment (default Apple's); env TRENNWAND_DEP_URL")
	f.String("apple-device-ca", "", "PEM file of the device identity CA with its chain, which bought devices' signed information in the Setup Assistant must come from (default: Apple's iPhone Device CA, built in); env TRENNWAND_APPLE_DEVICE_CA")
	f.String("apns-topic", "", "APNs topic of the MDM push certificate (com.apple.mgmt.…), named in enrolment profiles; env TRENNWAND_APNS_TOPIC")
	f.String("smtp-url", "", "SMTP server for invitation e-mail: smtp://user:password@host:587 (STARTTLS) or smtps://…:465; env TRENNWAND_SMTP_URL")
	f.String("trusted-proxies", "", "comma-separated networks of load balancers whose X-Forwarded-For names the client, e.g. 10.0.0.0/8; env TRENNWAND_TRUSTED_PROXIES")
	f.String("mail-from", "", "sender address of invitation e-mail; env TRENNWAND_MAIL_FROM")
	f.String("siem-syslog", "", "syslog receiver (RFC 5424 over TLS, RFC 5425 framing) for the audit events of tenants whose SIEM feed is on, host:port, e.g. siem.example.org:6514; env TRENNWAND_SIEM_SYSLOG")
	f.String("siem-syslog-ca", "", "PEM file of the CAs the syslog receiver's certificate comes from (default: the system's); env TRENNWAND_SIEM_SYSLOG_CA")
	f.String("siem-syslog-cert", "", "PEM client certificate shown to a syslog receiver that asks for one; env TRENNWAND_SIEM_SYSLOG_CERT")
	f.String("siem-syslog-key", "", "PEM private key of --siem-syslog-cert; env TRENNWAND_SIEM_SYSLOG_KEY")
	f.String("siem-webhook", "", "https:// address that receives the audit events of tenants whose SIEM feed is on, signed; env TRENNWAND_SIEM_WEBHOOK")
	f.String("siem-webhook-ca", "", "PEM file of the CAs the webhook's certificate comes from (default: the system's); env TRENNWAND_SIEM_WEBHOOK_CA")
	f.String("siem-webhook-secret-file", "", "file with the webhook's signing secret (at least 32 bytes), kept sealed in the database once read; env TRENNWAND_SIEM_WEBHOOK_SECRET_FILE")
	f.Duration("device-cert-validity", 365*24*time.Hour, "how long device certificates are valid; env TRENNWAND_DEVICE_CERT_VALIDITY")
	f.Int("demo-devices", 6, "with --demo: how many simulated phones (half iPhones, half Android) enrol in the background at start, so that the dashboard has devices to show within the first minute (0 for none)")
	f.Bool("demo", false, "demo mode: run in-process stand-ins for Google's Android Management API and Apple's push service, with a ready tenant and sample work policy, so that phones can be simulated without Google or Apple accounts")
	return c
}

func runServe(cmd *cobra.Command, _ []string) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	operatorCert, err := inst.OperatorCertificate(cfg)
	if err != nil {
		return usageError{err}
	}
	opts := serve.Options{Operator: operatorCert, Out: cmd.OutOrStdout()}
	opts.Demo, _ = cmd.Flags().GetBool("demo")
	opts.DemoDevices, _ = cmd.Flags().GetInt("demo-devices")
	return serve.Run(cmd.Context(), cfg, cfg.Logger(cmd.ErrOrStderr()), opts)
}
