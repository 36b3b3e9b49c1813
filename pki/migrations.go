package pki

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the CA's migration series: numbered SQL files for its tables in the
// installation's database, rendered and applied by the store beside the domain's.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder exists at build time
	}
	return sub
}
