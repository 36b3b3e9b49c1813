package installation

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/trennwand/trennwand/mdm/mail"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// Config is the validated configuration of one invocation.
type Config struct {
	DataDir     string
	DB          store.DSN
	Addr        string
	MetricsAddr string // if set, /metrics is served there instead of on Addr
	// MetricsTenantLabel adds the tenant's name as a label to the per-tenant metrics.
	MetricsTenantLabel bool
	MemoryLimit        int64 // the Go runtime's soft memory limit for serve, in bytes
	PublicURL          *url.URL
	PublicURLSet       bool // PublicURL was given, not the default made from the host name
	AMAPIEndpoint      string
	AMAPICredentials   string
	APNsURL            string
	APNsTopic          string
	// VPPURL and VPPMetadataURL are Apple's Apps and Books API and its app metadata
	// lookup; empty means Apple's own.
	VPPURL, VPPMetadataURL string
	// DEPURL is Apple's device assignment service (Automated Device Enrollment); empty
	// means Apple's own.
	DEPURL string
	// AppleDeviceCA is a PEM file with the device identity CA and its chain up to the
	// root, which bought devices' signed device information must come from; empty means
	// Apple's own chain, which the program carries.
	AppleDeviceCA string
	// DemoDeviceCA is the PEM of the demo's fake device CA, trusted instead of Apple's;
	// only the demo sets it.
	DemoDeviceCA    []byte
	MasterKey       *pki.MasterKey // from TRENNWAND_MASTER_KEY; nil means the key file in the data directory
	TLSCert, TLSKey string
	AdminEmail      string
	// SMTPURL and MailFrom send invitations by e-mail when SMTPURL is set.
	SMTPURL, MailFrom string
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// DeviceCertValidity is how long device certificates are valid.
	DeviceCertValidity time.Duration
	LogLevel           slog.Level
	LogJSON            bool
	JSON               bool

	// SIEM is where the audit events of the tenants whose feed is on are sent.
	SIEM SIEMConfig

	// PlayIframeURL is where the managed Google Play iframe is served; empty means
	// Google's. Only the demo sets it, to the AMAPI fake's page.
	PlayIframeURL string
	// PlayScriptOrigin is where the iframe's gapi script is served; empty means
	// Google's. Only the demo sets it, to the AMAPI fake.
	PlayScriptOrigin string
}

// Settings lists every setting that may come from a flag, an environment variable
// (TRENNWAND_ + upper case, - as _) or the config file.
var Settings = []string{
	"data", "db", "addr", "public-url", "amapi-endpoint", "amapi-credentials", "apns-url",
	"master-key", "tls-cert", "tls-key", "admin-email", "log-level", "log-format",
	"device-cert-validity", "apns-topic", "smtp-url", "mail-from",
	"trusted-proxies", "vpp-url", "vpp-metadata-url", "dep-url", "apple-device-ca", "metrics-addr",
	"memory-limit", "metrics-tenant-label",
	"siem-syslog", "siem-syslog-ca", "siem-syslog-cert", "siem-syslog-key", "siem-webhook", "siem-webhook-ca", "siem-webhook-secret-file",
}

// Load merges the flags, the environment and the config file (flags win, then the
// environment, then the file, then the defaults) and validates the result. The config
// file is named by the flag --config or by TRENNWAND_CONFIG. Every error is a mistake in
// the configuration. Load creates nothing on disk.
func Load(flags *pflag.FlagSet) (Config, error) {
	v := viper.New()
	v.SetEnvPrefix("TRENNWAND")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	for _, key := range Settings {
		if err := v.BindEnv(key); err != nil {
			return Config{}, err
		}
	}
	var bindErr error
	flags.VisitAll(func(f *pflag.Flag) {
		if slices.Contains(Settings, f.Name) {
			bindErr = cmp.Or(bindErr, v.BindPFlag(f.Name, f))
		}
	})
	if bindErr != nil {
		return Config{}, bindErr
	}
	file, _ := flags.GetString("config")
	file = cmp.Or(file, os.Getenv("TRENNWAND_CONFIG"))
	if file != "" {
		if err := readConfigFile(v, file); err != nil {
			return Config{}, err
		}
	}
	cfg, err := validate(v)
	if err != nil {
		return Config{}, err
	}
	cfg.JSON, _ = flags.GetBool("json")
	return cfg, nil
}

// readConfigFile reads the config file into v and refuses unknown settings, so that a
// typing mistake does not silently leave a default in place.
func readConfigFile(v *viper.Viper, file string) error {
	fv := viper.New()
	fv.SetConfigFile(file)
	if err := fv.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	for _, key := range fv.AllKeys() {
		if !slices.Contains(Settings, key) {
			return fmt.Errorf("config file %s: unknown setting %q (known: %s)", file, key, strings.Join(Settings, ", "))
		}
	}
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	return nil
}

func validate(v *viper.Viper) (Config, error) {
	cfg := Config{
		DataDir:            v.GetString("data"),
		Addr:               cmp.Or(v.GetString("addr"), ":8443"),
		MetricsAddr:        v.GetString("metrics-addr"),
		MetricsTenantLabel: v.GetBool("metrics-tenant-label"),
		AMAPIEndpoint:      v.GetString("amapi-endpoint"),
		AMAPICredentials:   v.GetString("amapi-credentials"),
		APNsURL:            v.GetString("apns-url"),
		APNsTopic:          v.GetString("apns-topic"),
		VPPURL:             v.GetString("vpp-url"),
		VPPMetadataURL:     v.GetString("vpp-metadata-url"),
		DEPURL:             v.GetString("dep-url"),
		AppleDeviceCA:      v.GetString("apple-device-ca"),
		TLSCert:            v.GetString("tls-cert"),
		TLSKey:             v.GetString("tls-key"),
		AdminEmail:         cmp.Or(v.GetString("admin-email"), "admin@localhost"),
		SMTPURL:            v.GetString("smtp-url"),
		MailFrom:           v.GetString("mail-from"),
	}
	if cfg.DataDir == "" {
		return cfg, fmt.Errorf("data directory must not be empty (--data, TRENNWAND_DATA)")
	}
	if info, err := os.Stat(cfg.DataDir); err == nil && !info.IsDir() {
		return cfg, fmt.Errorf("data directory %s is a file, not a directory", cfg.DataDir)
	}
	dbSetting := v.GetString("db")
	if dbSetting == "" {
		abs, err := filepath.Abs(filepath.Join(cfg.DataDir, "trennwand.db"))
		if err != nil {
			return cfg, err
		}
		dbSetting = "sqlite://" + abs
	}
	dsn, err := store.ParseDSN(dbSetting)
	if err != nil {
		return cfg, fmt.Errorf("--db / TRENNWAND_DB: %w", err)
	}
	cfg.DB = dsn
	if raw := v.GetString("master-key"); raw != "" {
		if cfg.MasterKey, err = pki.ParseMasterKey(raw); err != nil {
			return cfg, fmt.Errorf("TRENNWAND_MASTER_KEY: %w", err)
		}
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || port == "" {
		return cfg, fmt.Errorf("listen address %q: write host:port or :port, for example :8443 (--addr, TRENNWAND_ADDR)", cfg.Addr)
	}
	if cfg.MemoryLimit, err = parseMemoryLimit(cmp.Or(v.GetString("memory-limit"), DefaultMemoryLimit)); err != nil {
		return cfg, err
	}
	if cfg.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(cfg.MetricsAddr); err != nil || port == "" || cfg.MetricsAddr == cfg.Addr {
			return cfg, fmt.Errorf("metrics address %q: write host:port or :port apart from the listen address, for example 10.0.0.5:9443 (--metrics-addr, TRENNWAND_METRICS_ADDR)", cfg.MetricsAddr)
		}
	}
	if cfg.PublicURL, err = publicURL(v.GetString("public-url"), host, port); err != nil {
		return cfg, err
	}
	cfg.PublicURLSet = v.GetString("public-url") != ""
	for name, raw := range map[string]string{"amapi-endpoint": cfg.AMAPIEndpoint, "apns-url": cfg.APNsURL,
		"vpp-url": cfg.VPPURL, "vpp-metadata-url": cfg.VPPMetadataURL, "dep-url": cfg.DEPURL} {
		if raw == "" {
			continue
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return cfg, fmt.Errorf("--%s %q: not an http(s) URL", name, raw)
		}
	}
	cfg.DeviceCertValidity = 365 * 24 * time.Hour
	if raw := v.GetString("device-cert-validity"); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < time.Hour || d > 5*365*24*time.Hour {
			return cfg, fmt.Errorf("device certificate validity %q: give a duration between 1h and 43800h (five years), for example 8760h", raw)
		}
		cfg.DeviceCertValidity = d
	}
	if err := checkMail(cfg); err != nil {
		return cfg, err
	}
	if cfg.TrustedProxies, err = ParseTrustedProxies(v.GetString("trusted-proxies")); err != nil {
		return cfg, err
	}
	if cfg.SIEM, err = parseSIEM(v); err != nil {
		return cfg, err
	}
	if cfg.APNsTopic != "" && !strings.HasPrefix(cfg.APNsTopic, "com.apple.mgmt.") {
		return cfg, fmt.Errorf("APNs topic %q: an MDM push certificate's topic begins with \"com.apple.mgmt.\"", cfg.APNsTopic)
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return cfg, fmt.Errorf("give both --tls-cert and --tls-key, or neither")
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(v.GetString("log-level"))); err != nil {
		return cfg, fmt.Errorf("log level %q: use debug, info, warn or error", v.GetString("log-level"))
	}
	switch v.GetString("log-format") {
	case "text":
	case "json":
		cfg.LogJSON = true
	default:
		return cfg, fmt.Errorf("log format %q: use text or json", v.GetString("log-format"))
	}
	return cfg, nil
}

// publicURL checks the configured public URL, or makes the default from the host name and
// the listening port.
func publicURL(raw, listenHost, port string) (*url.URL, error) {
	if raw == "" {
		host := listenHost
		if host == "" || host == "0.0.0.0" || host == "::" {
			name, err := os.Hostname()
			if err != nil || name == "" {
				name = "localhost"
			}
			host = name
		}
		raw = "https://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("public URL %q: write the https:// address phones reach, for example https://mdm.musterstadt.de (--public-url, TRENNWAND_PUBLIC_URL)", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// Logger returns the logger the configuration asks for, writing to stderr.
func (c Config) Logger(stderr io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// MasterKeyFile is where the master key is kept when TRENNWAND_MASTER_KEY is not set.
func (c Config) MasterKeyFile() string { return filepath.Join(c.DataDir, "master.key") }

// checkMail refuses an SMTP setting that cannot work, before anything starts.
func checkMail(cfg Config) error {
	if cfg.SMTPURL == "" {
		return nil
	}
	_, err := mail.New(cfg.SMTPURL, cfg.MailFrom)
	return err
}

// ParseTrustedProxies reads a comma-separated list of networks or addresses.
func ParseTrustedProxies(raw string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(raw, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies %q: write networks such as 10.0.0.0/8 or addresses", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
