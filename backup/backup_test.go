package backup

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// key is a master key stand-in: the passphrase depends on it alone.
type key byte

func (k key) DeriveKey(purpose string) []byte { return bytes.Repeat([]byte{byte(k)}, 32) }

// database snapshots a fixed content.
type database []byte

func (d database) Snapshot(_ context.Context, path string) error { return os.WriteFile(path, d, 0o600) }

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func writeFixture(t *testing.T) (file string, info Info) {
	t.Helper()
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "server.crt"), []byte("certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(t.TempDir(), "backup.age")
	info, err := Write(t.Context(), Installation{DB: database("SQLite format 3 rows"), Schema: "v7", DataDir: data, Key: key(1)}, file)
	if err != nil {
		t.Fatal(err)
	}
	return file, info
}

func TestABackupRestoresWithItsKeyOnly(t *testing.T) {
	file, info := writeFixture(t)
	if info.Schema != "v7" || !slices.Equal(info.Files, []string{"trennwand.db", "server.crt"}) {
		t.Errorf("manifest %+v; want the schema and the database with the certificate (the key file was absent)", info)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("SQLite format 3")) {
		t.Fatal("the backup is readable without the key")
	}
	if _, err := Write(t.Context(), Installation{DB: database("x"), Key: key(1), DataDir: t.TempDir()}, file); err == nil {
		t.Error("a backup overwrote an existing file")
	}

	wrong := t.TempDir()
	if err := Restore(bytes.NewReader(raw), key(2), wrong); err == nil || len(files(t, wrong)) != 0 {
		t.Errorf("restore with another key: %v, left %v", err, files(t, wrong))
	}
	damaged := slices.Clone(raw)
	damaged[len(damaged)-10] ^= 0xff
	broken := t.TempDir()
	if err := Restore(bytes.NewReader(damaged), key(1), broken); err == nil || len(files(t, broken)) != 0 {
		t.Errorf("restore of a damaged backup: %v, left %v", err, files(t, broken))
	}

	dir := t.TempDir()
	if err := Restore(bytes.NewReader(raw), key(1), dir); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); !slices.Equal(got, []string{"server.crt", "trennwand.db"}) {
		t.Errorf("restored %v", got)
	}
	if db, _ := os.ReadFile(filepath.Join(dir, "trennwand.db")); string(db) != "SQLite format 3 rows" {
		t.Errorf("restored database %q", db)
	}
	if err := Restore(bytes.NewReader(raw), key(1), dir); err == nil {
		t.Error("a restore overwrote existing files")
	}
}
