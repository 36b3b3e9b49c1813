package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ui/output"
)

func newBackupCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "backup",
		Short: "Write an encrypted backup of a SQLite installation (database, server certificate)",
		Long: `Write a backup of the installation to one file: a consistent snapshot of the SQLite
database (taken while the server runs), the server's TLS certificate and key, and a
manifest, encrypted with a key derived from the master key. The master key itself is not
in the backup: keep it apart, it is needed to restore.

PostgreSQL installations are backed up with pg_dump and the master key (docs/deployment.md).`,
		Example: `  trennwand backup --out /backup/trennwand-$(date +%F).age`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				return usagef("--out is required")
			}
			if in.cfg.DB.Postgres {
				return usagef("this installation is on PostgreSQL: back it up with pg_dump and keep the master key (docs/deployment.md)")
			}
			info, err := in.Backup(ctx, out)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"file": out, "created_at": info.CreatedAt, "files": info.Files})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "backup written to %s (%s)\n", out, info.Schema)
			return err
		}),
	}
	c.Flags().String("out", "", "file to write the backup to; it must not exist (required)")
	return c
}

func newRestoreCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "restore",
		Short: "Restore a backup into an empty data directory",
		Long: `Restore a backup written by trennwand backup into the data directory (--data), which
must be empty or not exist. The master key of the backed-up installation is needed: set
TRENNWAND_MASTER_KEY, or put its key file master.key into the data directory first. A
backup that the key does not open, or that is damaged, leaves nothing behind. Then start
trennwand serve on the data directory.`,
		Example: `  install -m 600 master.key /srv/trennwand/data/master.key
  trennwand restore --data /srv/trennwand/data --in /backup/trennwand-2026-11-27.age`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			in, _ := cmd.Flags().GetString("in")
			if in == "" {
				return usagef("--in is required")
			}
			if cfg.DB.Postgres {
				return usagef("restore writes a SQLite installation; restore a PostgreSQL installation with pg_restore (docs/deployment.md)")
			}
			return inst.Restore(cfg, in, cfg.Logger(cmd.ErrOrStderr()))
		},
	}
	c.Flags().String("in", "", "backup file to restore (required)")
	return c
}
