package ios

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the Apple MDM component's migration series: numbered SQL files for its
// ios_ tables in the installation's database, rendered and applied by the store beside the
// domain's (store.WithMigrations with the name "ios").
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder exists at build time
	}
	return sub
}
