package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// cluster is a PostgreSQL server of Debian's binaries that the test runs in a directory of
// its own, as the postgres user when the test runs as root.
type cluster struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

// pgBin returns the directory of the newest PostgreSQL server binaries, or skips.
func pgBin(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a < b
	})
	if len(dirs) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("PostgreSQL's server binaries are missing (Debian's postgresql package; scripts/test installs it as root)")
		}
		t.Skip("PostgreSQL's server binaries are missing (Debian's postgresql package)")
	}
	return dirs[len(dirs)-1]
}

// pgCommand runs a PostgreSQL program as the user that owns the clusters.
func pgCommand(bin string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.Command(bin, args...)
}

// clusterDir returns a new directory that the clusters' user owns.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "trennwand-failover-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root needs the postgres user (Debian's postgresql package)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (c *cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := pgCommand(filepath.Join(c.bin, name), args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
		c.t.Fatalf("%s %v: %v\n%s\n%s", name, args, err, out, log)
	}
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// start starts the server on its port, ready to stream to a standby or to be one.
func (c *cluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c wal_level=replica -c max_wal_senders=5 "+
		"-c hot_standby=on -c max_connections=200", c.port, c.dir)
	c.run("pg_ctl", "-w", "-t", "180", "-D", c.data(), "-l", filepath.Join(c.dir, "postgres.log"), "-o", opts, "start")
	c.t.Cleanup(func() {
		_ = pgCommand(filepath.Join(c.bin, "pg_ctl"), "-D", c.data(), "-m", "immediate", "-w", "stop").Run()
	})
}

// url is the address of a database on this server alone.
func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

func newCluster(t *testing.T, bin string) *cluster {
	return &cluster{t: t, bin: bin, dir: clusterDir(t), port: freePort(t)}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// query runs one statement on the database url and scans its one row into dest.
func query(t *testing.T, url, q string, dest ...any) error {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(dest) == 0 {
		_, err = db.Exec(q)
		return err
	}
	return db.QueryRow(q).Scan(dest...)
}

// TestEnrolmentStormSurvivesADatabaseFailover runs two servers on a PostgreSQL primary
// with a synchronous streaming standby (pg_basebackup), as Patroni runs it, and lets
// iPhones enrol against both (Android phones need the demo's Google, which lives in one
// server's process). In the middle the primary dies (immediate stop: no checkpoint,
// connections cut, commits in flight) and the standby is promoted. The servers reconnect
// by themselves through their multi-host connection string with
// target_session_attrs=read-write, and every phone that got an error tries again, as a
// phone does. Afterwards every phone is enrolled, and there is exactly one device for
// each, active: none left behind by an answer that said one thing while the database
// kept another. No command was delivered twice, every certificate belongs to a device,
// and the audit trail verifies.
func TestEnrolmentStormSurvivesADatabaseFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two PostgreSQL servers, two trennwand servers and 20 phones")
	}
	bin := pgBin(t)
	primary := newCluster(t, bin)
	primary.run("initdb", "-D", primary.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
	primary.start()
	if err := query(t, primary.url("postgres"), "CREATE DATABASE trennwand"); err != nil {
		t.Fatal(err)
	}
	standby := newCluster(t, bin)
	standby.run("pg_basebackup", "-D", standby.data(), "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port),
		"-U", "postgres", "-X", "stream", "-R", "--no-sync")
	standby.start()
	// From now on the primary acknowledges a commit only once the standby has it too, as
	// Patroni's synchronous mode does; the standby, once promoted, has no such setting.
	if err := query(t, primary.url("postgres"), "ALTER SYSTEM SET synchronous_standby_names = '*'"); err != nil {
		t.Fatal(err)
	}
	if err := query(t, primary.url("postgres"), "SELECT pg_reload_conf()", new(bool)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the standby streams synchronously", func() bool {
		var n int
		err := query(t, primary.url("postgres"), "SELECT COUNT(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'", &n)
		return err == nil && n == 1
	})

	exe := filepath.Join(t.TempDir(), "trennwand")
	if out, err := exec.Command("go", "build", "-o", exe, "../trennwand").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/trennwand?sslmode=disable&target_session_attrs=read-write",
		primary.port, standby.port)
	cfg := config{binary: exe, dataDir: t.TempDir(), db: dsn, replicas: 2, count: 10, concurrency: 4, rate: 5,
		killAfter: 1500 * time.Millisecond, retry: time.Minute, settle: 15 * time.Second, log: t.Output()}
	t.Cleanup(func() { showServerLogs(t, cfg.dataDir) })
	cfg.failover = func(context.Context) error {
		primary.run("pg_ctl", "-D", primary.data(), "-m", "immediate", "-w", "stop")
		// Patroni promotes the standby only once the primary's leader key has expired: for
		// a while there is no primary at all, and every phone that asks meanwhile is refused.
		time.Sleep(2 * time.Second)
		standby.run("pg_ctl", "-D", standby.data(), "-w", "promote")
		return nil
	}
	r, err := run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	// A command that a job queued on a retry after the failover may come after a simulated
	// phone stopped checking in (it waits a few seconds, not the day a real phone has):
	// such a command is still queued for the phone's next check-in, not lost, so open
	// commands are reported but not counted against the failover.
	var problems []string
	for _, p := range r.problems() {
		if !strings.HasSuffix(p, "commands never answered") {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		t.Errorf("after the failover: %v", problems)
	}
	if r.CommandsOpen > 0 {
		t.Logf("%d commands still queued for their phones' next check-in", r.CommandsOpen)
	}
	devices := 0
	for _, n := range r.Devices {
		devices += n
	}
	if r.Devices["ios/active"] != 20 || devices != 20 {
		t.Errorf("devices %v, want the 20 iPhones of both servers active and no other", r.Devices)
	}
	if r.CommandsDelivered == 0 {
		t.Errorf("the iPhones were handed no commands; the storm proves nothing about them")
	}
	if r.Retried == 0 {
		t.Errorf("no phone had to retry: the primary was lost after the storm, not during it")
	}
	var inRecovery bool
	if err := query(t, standby.url("trennwand"), "SELECT pg_is_in_recovery()", &inRecovery); err != nil || inRecovery {
		t.Errorf("the standby was not promoted: %v %v", inRecovery, err)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited three minutes for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// showServerLogs writes the servers' logs of a failed run into the test's output.
func showServerLogs(t *testing.T, dataDir string) {
	if !t.Failed() {
		return
	}
	logs, _ := filepath.Glob(filepath.Join(dataDir, "serve-*.log"))
	more, _ := filepath.Glob(filepath.Join(dataDir, "replica-*", "serve-*.log"))
	for _, name := range append(logs, more...) {
		b, _ := os.ReadFile(name)
		t.Logf("%s:\n%s", name, b)
	}
}
