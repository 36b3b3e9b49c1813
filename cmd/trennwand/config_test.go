package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestInvalidConfigurationExitsWithTwoAndCreatesNothing(t *testing.T) {
	files := t.TempDir()
	writeFile(t, filepath.Join(files, "typo.yaml"), "data: /srv/trennwand\npublic_url: https://mdm.musterstadt.de\n")
	writeFile(t, filepath.Join(files, "broken.yaml"), "data: [unclosed\n")
	writeFile(t, filepath.Join(files, "short.secret"), "0123456789\n")
	missing := filepath.Join(files, "missing.yaml")
	noCert := filepath.Join(files, "missing.pem")

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // on stderr
	}{
		{"database of an unknown kind", []string{"serve", "--db", "mysql://db/trennwand"}, nil, "use sqlite:///path/to/file.db or a postgres:// URL"},
		{"SQLite without a path", []string{"serve", "--db", "sqlite://"}, nil, "write sqlite:///path/to/file.db"},
		{"PostgreSQL without a host", []string{"tenant", "list", "--db", "postgres:///trennwand"}, nil, "not a valid postgres:// URL"},
		{"listen address without a port", []string{"serve", "--addr", "nonsense"}, nil, `listen address "nonsense"`},
		{"listen address from the environment", []string{"serve"}, map[string]string{"TRENNWAND_ADDR": "8443"}, `listen address "8443"`},
		{"public URL without TLS", []string{"serve", "--public-url", "http://mdm.musterstadt.de"}, nil, `public URL "http://mdm.musterstadt.de"`},
		{"public URL with a query", []string{"serve", "--public-url", "https://mdm.musterstadt.de/?x=1"}, nil, "public URL"},
		{"public URL without a host name", []string{"serve", "--public-url", "https://:8443"}, nil, "public URL"},
		{"AMAPI endpoint that is no URL", []string{"serve", "--amapi-endpoint", "ftp://amapi"}, nil, `--amapi-endpoint "ftp://amapi": not an http(s) URL`},
		{"memory limit of an unknown unit", []string{"serve", "--memory-limit", "100MB"}, nil, `memory limit "100MB"`},
		{"memory limit too small to start", []string{"serve", "--memory-limit", "1MiB"}, nil, `memory limit "1MiB"`},
		{"unknown log level", []string{"serve", "--log-level", "loud"}, nil, `log level "loud"`},
		{"unknown log format", []string{"serve", "--log-format", "xml"}, nil, `log format "xml"`},
		{"certificate without key", []string{"serve", "--tls-cert", noCert}, nil, "give both --tls-cert and --tls-key"},
		{"certificate that cannot be read", []string{"serve", "--tls-cert", noCert, "--tls-key", noCert}, nil, noCert},
		{"config file with an unknown setting", []string{"serve", "--config", filepath.Join(files, "typo.yaml")}, nil, `unknown setting "public_url"`},
		{"config file that is not YAML", []string{"serve", "--config", filepath.Join(files, "broken.yaml")}, nil, "broken.yaml"},
		{"config file that does not exist", []string{"serve", "--config", missing}, nil, "config file " + missing},
		{"config file from the environment that does not exist", []string{"tenant", "list"}, map[string]string{"TRENNWAND_CONFIG": missing}, "config file " + missing},
		{"syslog receiver without a port", []string{"serve", "--siem-syslog", "siem.example.org"}, nil, `syslog receiver "siem.example.org": write host:port`},
		{"webhook without TLS", []string{"serve", "--siem-webhook", "http://siem.example.org/audit"}, nil, `webhook "http://siem.example.org/audit": write the receiver's https:// address`},
		{"webhook secret that cannot be read", []string{"serve", "--siem-webhook", "https://siem.example.org/audit", "--siem-webhook-secret-file", noCert}, nil, noCert},
		{"webhook secret that is too short", []string{"serve", "--siem-webhook", "https://siem.example.org/audit", "--siem-webhook-secret-file", filepath.Join(files, "short.secret")}, nil, "give at least 32"},
		{"webhook secret without a webhook", []string{"serve", "--siem-webhook-secret-file", filepath.Join(files, "short.secret")}, nil, "--siem-webhook-secret-file is given without --siem-webhook"},
		{"syslog CA that holds no certificate", []string{"serve", "--siem-syslog", "siem.example.org:6514", "--siem-syslog-ca", filepath.Join(files, "short.secret")}, nil, "no PEM certificate"},
		{"syslog client certificate without key", []string{"serve", "--siem-syslog", "siem.example.org:6514", "--siem-syslog-cert", noCert}, nil, "give both --siem-syslog-cert and --siem-syslog-key"},
		{"syslog client certificate that cannot be read", []string{"serve", "--siem-syslog", "siem.example.org:6514", "--siem-syslog-cert", noCert, "--siem-syslog-key", noCert}, nil, "syslog client certificate"},
		{"syslog receiver from the environment", []string{"siem", "show", "--tenant", "default"}, map[string]string{"TRENNWAND_SIEM_SYSLOG": "siem:port:6514"}, `syslog receiver "siem:port:6514"`},
		{"unknown flag", []string{"serve", "--verbose"}, nil, "unknown flag: --verbose"},
		{"unknown command", []string{"start"}, nil, `unknown command "start"`},
		{"unknown sub-command", []string{"tenant", "delete", "musterstadt"}, nil, `unknown command "delete" for trennwand tenant`},
		{"argument to serve", []string{"serve", "now"}, nil, "takes 0 argument(s)"},
		{"master key that is not base64", []string{"serve"}, map[string]string{"TRENNWAND_MASTER_KEY": "not base64!"}, "TRENNWAND_MASTER_KEY"},
		{"master key of 16 bytes", []string{"serve"}, map[string]string{"TRENNWAND_MASTER_KEY": "AAAAAAAAAAAAAAAAAAAAAA=="}, "32 random bytes"},
		{"master key for a command", []string{"tenant", "list"}, map[string]string{"TRENNWAND_MASTER_KEY": "short"}, "TRENNWAND_MASTER_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			root := t.TempDir()
			args := append(tt.args, "--data", filepath.Join(root, "data"))
			if tt.args[0] == "serve" && !slices.Contains(tt.args, "--addr") && tt.env["TRENNWAND_ADDR"] == "" {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			// Stopped before it starts: a server that wrongly accepts the configuration
			// exits at once instead of serving until the test times out.
			stopped, stop := context.WithCancel(t.Context())
			stop()
			r := trennwandUntil(stopped, args...)
			r.wantCode(t, exitUsage)
			r.wantStderr(t, tt.want)
			if r.stdout != "" {
				t.Errorf("stdout is %q, want nothing", r.stdout)
			}
			entries, err := os.ReadDir(root)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				t.Errorf("%s was created", filepath.Join(root, e.Name()))
			}
		})
	}
}

func TestSettingsComeFromFlagThenEnvironmentThenConfigFileThenDefault(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	dir := t.TempDir()
	file := filepath.Join(dir, "trennwand.yaml")
	writeFile(t, file, "public-url: https://file.musterstadt.de\n")

	tests := []struct {
		name       string
		configFlag bool   // --config names the file
		configEnv  bool   // TRENNWAND_CONFIG names the file
		env        string // TRENNWAND_PUBLIC_URL
		flag       string // --public-url
		want       string
	}{
		{name: "default: the one serve stored", want: s.config(t).PublicURL.String()},
		{name: "config file", configFlag: true, want: "https://file.musterstadt.de"},
		{name: "config file named in the environment", configEnv: true, want: "https://file.musterstadt.de"},
		{name: "environment beats config file", configFlag: true, env: "https://env.musterstadt.de", want: "https://env.musterstadt.de"},
		{name: "flag beats environment and config file", configFlag: true, env: "https://env.musterstadt.de", flag: "https://flag.musterstadt.de/mdm/", want: "https://flag.musterstadt.de/mdm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-", "--json"}
			if tt.configFlag {
				args = append(args, "--config", file)
			}
			if tt.configEnv {
				t.Setenv("TRENNWAND_CONFIG", file)
			}
			if tt.env != "" {
				t.Setenv("TRENNWAND_PUBLIC_URL", tt.env)
			}
			if tt.flag != "" {
				args = append(args, "--public-url", tt.flag)
			}
			r := s.run(t, args...)
			r.wantCode(t, 0)
			var inv createdInvitation
			r.decode(t, &inv)
			if want := tt.want + "/e/" + inv.Code; inv.URL != want {
				t.Errorf("url %q, want %q", inv.URL, want)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
