package main

import (
	"compress/gzip"
	"database/sql"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// upgradeFrom is the commit whose code wrote the fixture of the upgrade test: main of
// 2026-11-27, before the migrations of the one device status (00083) and the SIEM feed
// (00095). scripts/upgrade-fixture COMMIT made it and makes a new one: it builds the code
// at COMMIT, runs `serve --demo --demo-devices 6` on an empty data directory until the six
// simulated phones are enrolled, removes one Android phone (`device remove`), creates the
// tenant nachbardorf with an invitation, stops the server with SIGTERM and writes
// testdata/upgrade/sqlite-COMMIT.db.gz and the installation's master.key. Renew it at each
// release with the released commit, and set upgradeFrom to it.
const upgradeFrom = "047ad91"

// trailRow and deviceRow are what the upgrade must leave as they were.
type trailRow struct {
	Tenant string
	Seq    int64
	Hash   []byte
}

type deviceRow struct {
	ID, Platform, State string
}

// installationFacts reads, behind the program's back, what an upgrade must keep: the
// devices, and each tenant's chain head.
func installationFacts(t *testing.T, db *gorm.DB) (devices []deviceRow, heads []trailRow) {
	t.Helper()
	if err := db.Raw("SELECT id, platform, state FROM devices ORDER BY id").Scan(&devices).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Raw("SELECT t.name AS tenant, h.seq, h.hash FROM audit_heads h JOIN tenants t ON t.id = h.tenant_id ORDER BY t.name").
		Scan(&heads).Error
	if err != nil {
		t.Fatal(err)
	}
	return devices, heads
}

// The new release starts on a database that the previous release wrote: its migrations
// apply, every device and every audit event is still there, the audit trail verifies, and
// what the new schema brings works on it.
func TestTheNewReleaseStartsOnTheDatabaseOfThePreviousOne(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := emptySite(t, backend)
		if err := os.MkdirAll(s.data, 0o700); err != nil {
			t.Fatal(err)
		}
		key, err := os.ReadFile(filepath.Join("testdata", "upgrade", "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		writeFileMode(t, filepath.Join(s.data, "master.key"), key, 0o600)
		if backend == storetest.SQLite {
			gunzipTo(t, filepath.Join("testdata", "upgrade", "sqlite-"+upgradeFrom+".db.gz"), filepath.Join(s.data, "trennwand.db"))
		} else {
			loadDump(t, s.dsn, filepath.Join("testdata", "upgrade", "postgres-"+upgradeFrom+".sql.gz"))
		}
		checkUpgrade(t, s)
	})
}

// checkUpgrade starts the new release's server on the previous release's installation s
// and checks what it kept.
func checkUpgrade(t *testing.T, s site) {
	t.Helper()
	devices, heads := installationFacts(t, s.sql(t))
	if len(devices) != 6 || len(heads) != 2 {
		t.Fatalf("the fixture holds %d devices and %d tenants, want 6 and 2: %v %v", len(devices), len(heads), devices, heads)
	}

	// Commands other than serve leave the old schema alone and say so.
	r := s.run(t, "tenant", "list")
	if r.code == 0 {
		t.Fatalf("tenant list ran on the previous release's schema:\n%s", r.stdout)
	}
	r.wantStderr(t, "serve")

	srv := startServe(t, slices.Concat(s.flags, []string{"--public-url", "https://localhost:8443"})...)
	srv.waitServing(t)
	srv.waitUntil(t, "/readyz says the schema is current", func() bool {
		status, _ := get(t, srv.url("/readyz"))
		return status == http.StatusOK
	})
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	devicesAfter, headsAfter := installationFacts(t, s.sql(t))
	if !slices.Equal(devices, devicesAfter) {
		t.Fatalf("devices before the upgrade %v, after %v", devices, devicesAfter)
	}
	for i, h := range heads {
		if headsAfter[i].Tenant != h.Tenant || headsAfter[i].Seq < h.Seq {
			t.Fatalf("tenant %s's trail ends at %d after the upgrade, at %d before", h.Tenant, headsAfter[i].Seq, h.Seq)
		}
		var e trailRow
		err := s.sql(t).Raw("SELECT t.name AS tenant, e.seq, e.hash FROM audit_events e JOIN tenants t ON t.id = e.tenant_id WHERE t.name = ? AND e.seq = ?",
			h.Tenant, h.Seq).Scan(&e).Error
		if err != nil || hex.EncodeToString(e.Hash) != hex.EncodeToString(h.Hash) {
			t.Fatalf("tenant %s's event %d has hash %x after the upgrade, %x before (%v)", h.Tenant, h.Seq, e.Hash, h.Hash, err)
		}
	}
	events := s.auditEvents(t) // audit verify: exit 0 only when every trail is intact
	for _, h := range heads {
		if events[h.Tenant] < h.Seq {
			t.Fatalf("audit verify counts %d events of %s, the previous release wrote %d", events[h.Tenant], h.Tenant, h.Seq)
		}
	}
	s.run(t, "device", "list", "--tenant", "default").wantCode(t, 0)
	s.run(t, "siem", "enable", "--tenant", "nachbardorf").wantCode(t, 0)
	s.run(t, "audit", "verify").wantCode(t, 0)
}

// loadDump runs the SQL dump (gzip) in the empty PostgreSQL database dsn, on a
// connection of its own: a dump sets the search path for the rest of its session.
func loadDump(t *testing.T, dsn, dump string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), string(gunzip(t, dump))); err != nil {
		t.Fatalf("load %s: %v", dump, err)
	}
}

// gunzipTo writes the uncompressed content of the gzip file src to dst, readable by its
// owner only, as the server keeps its database.
func gunzipTo(t *testing.T, src, dst string) {
	t.Helper()
	writeFileMode(t, dst, gunzip(t, src), 0o600)
}

// gunzip returns the uncompressed content of the gzip file src.
func gunzip(t *testing.T, src string) []byte {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFileMode(t *testing.T, path string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
}
