package main

import (
	"cmp"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// config is the validated configuration of one invocation.
type config struct {
	DataDir          string
	DB               store.DSN
	Addr             string
	MetricsAddr      string // if set, /metrics is served there instead of on Addr
	MemoryLimit      int64  // the Go runtime's soft memory limit for serve, in bytes
	PublicURL        *url.URL
	PublicURLSet     bool // PublicURL was given, not the default made from the host name
	AMAPIEndpoint    string
	AMAPICredentials string
	APNsURL          string
	APNsTopic        string
	// VPPURL and VPPMetadataURL are Apple's Apps and Books API and its app metadata
	// lookup; empty means Apple's own.
	VPPURL, VPPMetadataURL string
	MasterKey              *pki.MasterKey // from TRENNWAND_MASTER_KEY; nil means the key file in the data directory
	TLSCert, TLSKey        string
	AdminEmail             string
	// SMTPURL and MailFrom send invitations by e-mail when SMTPURL is set.
	SMTPURL, MailFrom string
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// DeviceCertValidity is how long device certificates are valid.
	DeviceCertValidity time.Duration
	LogLevel           slog.Level
	LogJSON            bool
	JSON               bool
}

// settings lists every setting that may come from a flag, an environment variable
// (TRENNWAND_ + upper case, - as _) or the config file.
var settings = []string{
	"data", "db", "addr", "public-url", "amapi-endpoint", "amapi-credentials", "apns-url",
	"master-key", "tls-cert", "tls-key", "admin-email", "log-level", "log-format",
	"device-cert-validity", "apns-topic", "smtp-url", "mail-from",
	"trusted-proxies", "vpp-url", "vpp-metadata-url", "metrics-addr",
	"memory-limit",
}

func addGlobalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.String("config", "", "config file (YAML, TOML or JSON); env TRENNWAND_CONFIG")
	f.String("data", "./data", "data directory: SQLite database, keys, lock file; env TRENNWAND_DATA")
	f.String("db", "", "database: sqlite:///path/file.db or a postgres:// URL (default: SQLite in the data directory); env TRENNWAND_DB")
	f.String("public-url", "", "the HTTPS URL at which phones and browsers reach this server; serve stores it in the installation for every later command (default: the stored one, else https://<hostname>:<port>); env TRENNWAND_PUBLIC_URL")
	f.String("log-level", "info", "log level: debug, info, warn or error; env TRENNWAND_LOG_LEVEL")
	f.String("log-format", "text", "log format: text or json; env TRENNWAND_LOG_FORMAT")
	f.Bool("json", false, "print the result as one JSON object, for scripts")
}

// loadConfig merges flags, environment and config file (flags win, then environment, then
// the file, then defaults) and validates the result. It creates nothing on disk.
func loadConfig(cmd *cobra.Command) (config, error) {
	v := viper.New()
	v.SetEnvPrefix("TRENNWAND")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	for _, key := range settings {
		if err := v.BindEnv(key); err != nil {
			return config{}, err
		}
	}
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if slices.Contains(settings, f.Name) {
			bindErr = cmp.Or(bindErr, v.BindPFlag(f.Name, f))
		}
	})
	if bindErr != nil {
		return config{}, bindErr
	}
	file, _ := cmd.Flags().GetString("config")
	file = cmp.Or(file, os.Getenv("TRENNWAND_CONFIG"))
	if file != "" {
		if err := readConfigFile(v, file); err != nil {
			return config{}, usageError{err}
		}
	}
	cfg, err := validate(v)
	if err != nil {
		return config{}, usageError{err}
	}
	cfg.JSON, _ = cmd.Flags().GetBool("json")
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
		if !slices.Contains(settings, key) {
			return fmt.Errorf("config file %s: unknown setting %q (known: %s)", file, key, strings.Join(settings, ", "))
		}
	}
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return fmt.Errorf("config file %s: %w", file, err)
	}
	return nil
}

func validate(v *viper.Viper) (config, error) {
	cfg := config{
		DataDir:          v.GetString("data"),
		Addr:             cmp.Or(v.GetString("addr"), ":8443"),
		MetricsAddr:      v.GetString("metrics-addr"),
		AMAPIEndpoint:    v.GetString("amapi-endpoint"),
		AMAPICredentials: v.GetString("amapi-credentials"),
		APNsURL:          v.GetString("apns-url"),
		APNsTopic:        v.GetString("apns-topic"),
		VPPURL:           v.GetString("vpp-url"),
		VPPMetadataURL:   v.GetString("vpp-metadata-url"),
		TLSCert:          v.GetString("tls-cert"),
		TLSKey:           v.GetString("tls-key"),
		AdminEmail:       cmp.Or(v.GetString("admin-email"), "admin@localhost"),
		SMTPURL:          v.GetString("smtp-url"),
		MailFrom:         v.GetString("mail-from"),
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
	if cfg.MemoryLimit, err = parseMemoryLimit(cmp.Or(v.GetString("memory-limit"), defaultMemoryLimit)); err != nil {
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
		"vpp-url": cfg.VPPURL, "vpp-metadata-url": cfg.VPPMetadataURL} {
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
	if cfg.TrustedProxies, err = parseTrustedProxies(v.GetString("trusted-proxies")); err != nil {
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

// logger returns the logger the configuration asks for, writing to stderr.
func (c config) logger(stderr interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}
