package android

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the Android platform's migration series: numbered SQL files for its
// android_ tables in the installation's database, applied by the store beside the
// domain's (store.WithMigrations with the name "android").
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded folder exists at build time
	}
	return sub
}
