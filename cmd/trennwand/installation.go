package main

import (
	"context"
	"os/user"

	"github.com/spf13/cobra"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
)

// config is the validated configuration of one invocation.
type config = inst.Config

// installation is an opened installation; cfg, store and svc are its own, under the
// commands' short names.
type installation struct {
	*inst.Installation
	cfg   config
	store *store.Store
	svc   *domain.Services
}

func wrap(i *inst.Installation) *installation {
	return &installation{Installation: i, cfg: i.Config, store: i.Store, svc: i.Service}
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

// loadConfig reads the configuration of the command line; a mistake in it is a usage
// error.
func loadConfig(cmd *cobra.Command) (config, error) {
	cfg, err := inst.Load(cmd.Flags())
	if err != nil {
		return config{}, usageError{err}
	}
	return cfg, nil
}

// withInstallation loads the configuration, opens the installation for a command-line
// call and runs fn with it.
func withInstallation(fn func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, err := loadConfig(cmd)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		opened, err := inst.Open(ctx, cfg, cfg.Logger(cmd.ErrOrStderr()))
		if err != nil {
			return err
		}
		defer opened.Close()
		return fn(ctx, cmd, wrap(opened), args)
	}
}

// cliActor names the operating-system user for the audit trail.
func cliActor() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return mdm.CLIActor(name)
}
