package installation

import (
	"context"

	"github.com/trennwand/trennwand/backup"
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
