package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func TestHelpNamesTheCommandsAndWhatTheyDo(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"Usage:", "serve", "tenant", "admin", "invite", "device", "audit", "healthcheck", "version", "--version", "--config", "--data", "--db", "--json"}},
		{[]string{"--help"}, []string{"Usage:", "serve", "TRENNWAND_", "flags win"}},
		{[]string{"help", "serve"}, []string{"trennwand serve [flags]", "--addr"}},
		{[]string{"serve", "--help"}, []string{"Only one server may use a data directory", "refuses to start", "SIGTERM", "TRENNWAND_DB=postgres://", "--tls-cert", "--admin-email"}},
		{[]string{"tenant"}, []string{"create", "list"}},
		{[]string{"tenant", "create", "--help"}, []string{"trennwand tenant create musterstadt", "lower-case letters", "--display-name"}},
		{[]string{"admin", "create", "--help"}, []string{"admin, helpdesk or dpo", "--tenant", "--email", "--role", "printed once"}},
		{[]string{"invite", "create", "--help"}, []string{"--platform", "ios, android, or any", "--apple-id", "--qr", "--valid-days", "--json"}},
		{[]string{"device", "list", "--help"}, []string{"--tenant", "--platform", "--state", "trennwand device list --tenant musterstadt"}},
		{[]string{"device"}, []string{"list", "remove", "wipe", "lock"}},
		{[]string{"device", "lock", "--help"}, []string{"--tenant", "--reason", "company-owned", "employee's own phone is never locked", "trennwand device lock --tenant musterstadt"}},
		{[]string{"audit", "verify", "--help"}, []string{"--tenant", "Exit code 0", "1 when one is not"}},
		{[]string{"healthcheck", "--help"}, []string{"/readyz", "--url", "--addr"}},
		{[]string{"version", "--help"}, []string{"its version, the commit", "trennwand version --json", "trennwand_build_info"}},
		{[]string{"serve", "--help"}, []string{"--metrics-tenant-label", "TRENNWAND_METRICS_TENANT_LABEL"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append([]string{"trennwand"}, tt.args...), " "), func(t *testing.T) {
			t.Parallel()
			r := trennwand(t, tt.args...)
			r.wantCode(t, 0)
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help does not mention %q:\n%s", w, r.stdout)
				}
			}
			if r.stderr != "" {
				t.Errorf("stderr is %q, want nothing", r.stderr)
			}
		})
	}
}

// Every command, including ones added later, explains each of its own flags and shows its
// examples.
func TestEveryCommandHasHelpForEachFlag(t *testing.T) {
	// What each command's help must show is read from the tree once, before the parallel
	// subtests: cobra changes a command's flag sets when they are asked for.
	type command struct {
		path                  []string
		short, long, example  string
		flagNames, flagUsages []string
	}
	var commands []command
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		cmd := command{path: path, short: c.Short, long: c.Long, example: c.Example}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			cmd.flagNames = append(cmd.flagNames, "--"+f.Name)
			cmd.flagUsages = append(cmd.flagUsages, f.Usage)
		})
		commands = append(commands, cmd)
		for _, sub := range c.Commands() {
			walk(sub, append(path[:len(path):len(path)], sub.Name()))
		}
	}
	walk(newRootCmd(io.Discard, io.Discard), nil)

	for _, c := range commands {
		t.Run(strings.Join(append([]string{"trennwand"}, c.path...), " "), func(t *testing.T) {
			t.Parallel()
			r := trennwand(t, slices.Concat(c.path, []string{"--help"})...)
			r.wantCode(t, 0)
			if !strings.Contains(r.stdout, c.short) && !strings.Contains(r.stdout, c.long) {
				t.Errorf("help does not describe the command:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, c.example) {
				t.Errorf("help does not show the examples %q", c.example)
			}
			for i, name := range c.flagNames {
				if !strings.Contains(r.stdout, name) || !strings.Contains(r.stdout, c.flagUsages[i]) {
					t.Errorf("help does not explain %s (%q)", name, c.flagUsages[i])
				}
			}
		})
	}
}
