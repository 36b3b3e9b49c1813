package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Two servers on one PostgreSQL database, each with its own data directory and the same
// master key, take requests in turn as a load balancer hands them out. One is killed in
// the middle; the other takes every request after that, and sees everything the killed
// one wrote. The periodic jobs were scheduled once, not once per replica.
func TestTwoReplicasOnOnePostgreSQLSurviveTheLossOfOne(t *testing.T) {
	first := emptySite(t, storetest.Postgres)
	one := startServe(t, first.flags...)
	one.waitServing(t)
	two := startServe(t, replicaOf(t, first).flags...)
	two.waitServing(t)

	first.platformsSetUp(t, "default")
	var tok struct{ Token string }
	first.run(t, "token", "create", "--tenant", "default", "--role", "admin", "--json").decode(t, &tok)
	invite := func(s *server, i int) int {
		status, _, _ := apiPost(t, s, tok.Token, "/invitations", fmt.Sprintf(`{"email":"replica-%d@musterstadt.example","platform":"android"}`, i))
		return status
	}

	db := first.store(t)
	const n = 40
	created := 0
	for i := range n {
		replica := []*server{one, two}[i%2]
		if i == n/2 {
			// The elected leader queues the periodic jobs once it has been elected.
			one.waitUntil(t, "the periodic jobs were queued", func() bool { return len(periodicJobs(t, db)) == 4 })
			periodic := periodicJobs(t, db)
			for kind, count := range periodic {
				if count != 1 {
					t.Errorf("periodic job %s was scheduled %d times by two replicas, want once", kind, count)
				}
			}
			_ = one.cmd.Process.Kill()
			one.wait(t)
		}
		status := invite(replica, i)
		if status == 0 && replica == one {
			// The load balancer finds the killed replica gone and hands the request on.
			status = invite(two, i)
		}
		if status != http.StatusCreated {
			t.Fatalf("invitation %d: HTTP %d", i, status)
		}
		created++
	}

	req, _ := http.NewRequest(http.MethodGet, two.url("/api/v1/invitations"), nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := insecureClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Invitations []struct {
			EmployeeEmail string `json:"employee_email"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, inv := range page.Invitations {
		if strings.HasPrefix(inv.EmployeeEmail, "replica-") {
			seen++
		}
	}
	if seen != created {
		t.Errorf("the surviving replica lists %d of the %d invitations both made", seen, created)
	}
	if code := two.stop(t); code != 0 {
		t.Errorf("the surviving replica exited with %d", code)
	}
	if r := first.run(t, "audit", "verify", "--json"); r.code != 0 {
		t.Errorf("audit verify after the loss of a replica: %s %s", r.stdout, r.stderr)
	}
}

// apiPost posts a JSON body to the server's API at path (under /api/v1) with the API
// token; a server that cannot be reached (killed) is status 0 with the error.
func apiPost(t *testing.T, s *server, token, path, body string) (int, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url("/api/v1"+path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := insecureClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// replicaOf returns a site for another replica of first's installation: a data directory
// of its own with first's master key, on first's PostgreSQL database.
func replicaOf(t *testing.T, first site) site {
	t.Helper()
	second := site{data: filepath.Join(t.TempDir(), "data"), dsn: first.dsn}
	second.flags = []string{"--data", second.data, "--db", second.dsn}
	if err := os.MkdirAll(second.data, 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(first.data, "master.key"), filepath.Join(second.data, "master.key"))
	return second
}

// periodicJobs counts, by kind, the jobs of the periodic kinds that were queued so far.
func periodicJobs(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	var rows []struct {
		Kind string
		N    int
	}
	err := st.Tables().DB().Raw(`SELECT kind, COUNT(*) AS n FROM river_job WHERE kind IN ('device_retention', 'audit_retention', 'inactivity_check', 'ios_push_cert_check') GROUP BY kind`).
		Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind] = r.N
	}
	return out
}

// A second server with a data directory of its own but the first one's SQLite database is
// refused with a message that says why and what to do instead.
func TestASecondServerOnTheSameSQLiteDatabaseIsRefused(t *testing.T) {
	first := emptySite(t, storetest.SQLite)
	first.flags = append(first.flags, "--db", first.dsn)
	one := startServe(t, first.flags...)
	one.waitServing(t)

	second := startServe(t, "--data", filepath.Join(t.TempDir(), "data"), "--db", first.dsn)
	if code := second.wait(t); code == 0 {
		t.Fatal("the second server exited with 0, want a refusal")
	}
	if msg := second.stderr.String(); !strings.Contains(msg, "already running on the SQLite database") || !strings.Contains(msg, "PostgreSQL") {
		t.Errorf("the second server says\n%s\nwant that SQLite takes one server and replicas need PostgreSQL", msg)
	}
	if status, _ := get(t, one.url("/readyz")); status != http.StatusOK {
		t.Errorf("the first server answers /readyz with %d after the refusal", status)
	}
}
