package installation

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/trennwand/trennwand/backup"
	"github.com/trennwand/trennwand/mdm"
)

// Backup writes the backup of the installation's SQLite database, server certificate and
// manifest to out, which must not exist.
func (in *Installation) Backup(ctx context.Context, out string) (backup.Info, error) {
	schema, err := in.Store.Schema(ctx)
	if err != nil {
		return backup.Info{}, err
	}
	return backup.Write(ctx, backup.Installation{DB: in.Store, Schema: schema.String(), DataDir: in.Config.DataDir, Key: in.Key}, out)
}

// Restore unpacks the backup in file into the data directory of cfg, which must be empty
// but for the master key file; the master key is that of the backed-up installation. A
// refusal (a directory not empty, no master key, no such file) is an mdm.ErrInvalid.
func Restore(cfg Config, file string, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	entries, err := os.ReadDir(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, e := range entries {
		if e.Name() != "master.key" {
			return refused{fmt.Errorf("the data directory %s is not empty (it holds %s): restore into an empty one", cfg.DataDir, e.Name())}
		}
	}
	key, err := LoadMasterKey(cfg, log, false)
	if err != nil {
		return refused{fmt.Errorf("restore needs the master key of the backed-up installation: %w", err)}
	}
	f, err := os.Open(file)
	if err != nil {
		return refused{fmt.Errorf("--in: %w", err)}
	}
	defer f.Close()
	return backup.Restore(f, key, cfg.DataDir)
}

// refused is a refusal of what the caller asked for: it is an mdm.ErrInvalid and reads as
// its own message alone.
type refused struct{ error }

func (refused) Is(target error) bool { return target == mdm.ErrInvalid }
