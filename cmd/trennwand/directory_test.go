package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// testLDAP is the test directory's address (TRENNWAND_TEST_LDAP), testLDAPS its address
// over TLS and testLDAPCA the file of the CA that signed its certificate, kept before
// TestMain clears the program's environment.
var testLDAP, testLDAPS, testLDAPCA string

// directoryShown is what `directory show --json` prints.
type directoryShown struct {
	LDAPURL     string         `json:"ldap_url"`
	BaseDN      string         `json:"base_dn"`
	PasswordSet bool           `json:"password_set"`
	LastResult  map[string]int `json:"last_sync_result"`
}

// syncShown is what `directory sync --json` prints.
type syncShown struct {
	Joiners []struct {
		Email string `json:"email"`
	} `json:"joiners"`
	Movers  []any `json:"movers"`
	Leavers []any `json:"leavers"`
	DryRun  bool  `json:"dry_run"`
}

// directorySet is `directory set` of the test directory at url for the tenant
// musterstadt, without the password's file.
func directorySet(url string) []string {
	return []string{"directory", "set", "--tenant", "musterstadt", "--ldap-url", url,
		"--bind-dn", "cn=sync,ou=service,dc=musterstadt,dc=example", "--base-dn", "ou=people,dc=musterstadt,dc=example",
		"--filter", "(&(objectClass=user)(uid=user*))", "--id-attr", "entryUUID", "--json"}
}

// IT points a tenant at its directory: a wrong password is refused with nothing stored;
// the right one is stored sealed (show never prints it); a dry run reports the 2,100
// joiners and changes nothing; the sync then takes them in, and a second finds nothing
// to do.
func TestDirectorySetShowAndSync(t *testing.T) {
	url := testLDAP
	if url == "" {
		t.Skip("TRENNWAND_TEST_LDAP is not set: scripts/test starts a throw-away slapd")
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		files := t.TempDir()
		wrong, right := filepath.Join(files, "wrong.txt"), filepath.Join(files, "bind.txt")
		writeFile(t, wrong, "guessed\n")
		writeFile(t, right, "sync-secret\n")
		set := append(directorySet(url), "--bind-password-file")

		r := s.run(t, append(set, wrong)...)
		r.wantCode(t, exitUsage)
		var shown directoryShown
		s.run(t, "directory", "show", "--tenant", "musterstadt", "--json").decode(t, &shown)
		if shown.LDAPURL != "" || shown.PasswordSet {
			t.Fatalf("a refused setting was stored: %+v", shown)
		}
		s.run(t, append(set, right)...).wantCode(t, 0)
		out := s.run(t, "directory", "show", "--tenant", "musterstadt", "--json")
		out.decode(t, &shown)
		if shown.LDAPURL != url || !shown.PasswordSet || strings.Contains(out.stdout, "sync-secret") {
			t.Fatalf("show: %s", out.stdout)
		}

		var dry, done, again syncShown
		s.run(t, "directory", "sync", "--tenant", "musterstadt", "--dry-run", "--json").decode(t, &dry)
		s.run(t, "directory", "sync", "--tenant", "musterstadt", "--json").decode(t, &done)
		s.run(t, "directory", "sync", "--tenant", "musterstadt", "--json").decode(t, &again)
		if !dry.DryRun || len(dry.Joiners) != 2100 || len(done.Joiners) != 2100 || len(again.Joiners)+len(again.Movers)+len(again.Leavers) != 0 {
			t.Fatalf("dry run %d joiners, sync %d, again %d/%d/%d", len(dry.Joiners), len(done.Joiners),
				len(again.Joiners), len(again.Movers), len(again.Leavers))
		}
		s.run(t, "directory", "show", "--tenant", "musterstadt", "--json").decode(t, &shown)
		if shown.LastResult["joiners"] != 0 {
			t.Fatalf("the last sync's result: %+v", shown.LastResult)
		}
		s.run(t, "directory", "rules", "--tenant", "musterstadt", "--rule", "Kita=no such policy").wantCode(t, exitUsage)
		s.run(t, "directory", "sync", "--tenant", "nowhere").wantCode(t, 1)
	})
}

// A directory whose certificate comes from the town's own CA is read with --ca-file, for
// that tenant only: without it the setting is refused with what to give, a file without a
// certificate is refused, and with the CA the directory is read.
func TestDirectorySetWithTheTenantsOwnCA(t *testing.T) {
	if testLDAPS == "" || testLDAPCA == "" {
		t.Skip("TRENNWAND_TEST_LDAPS is not set: scripts/test starts a throw-away slapd with TLS")
	}
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		files := t.TempDir()
		bind, notPEM := filepath.Join(files, "bind.txt"), filepath.Join(files, "ca.txt")
		writeFile(t, bind, "sync-secret\n")
		writeFile(t, notPEM, "the CA is on the intranet\n")
		set := append(directorySet(testLDAPS), "--bind-password-file", bind)

		r := s.run(t, set...)
		r.wantCode(t, exitUsage)
		r.wantStderr(t, "--ca-file")
		r = s.run(t, append(set, "--ca-file", notPEM)...)
		r.wantCode(t, exitUsage)
		r.wantStderr(t, "no certificate")
		var shown directoryShown
		s.run(t, "directory", "show", "--tenant", "musterstadt", "--json").decode(t, &shown)
		if shown.LDAPURL != "" {
			t.Fatalf("a refused setting was stored: %+v", shown)
		}

		s.run(t, append(set, "--ca-file", testLDAPCA)...).wantCode(t, 0)
		var dry syncShown
		s.run(t, "directory", "sync", "--tenant", "musterstadt", "--dry-run", "--json").decode(t, &dry)
		if len(dry.Joiners) != 2100 {
			t.Fatalf("the directory read with the tenant's CA: %d joiners, want 2100", len(dry.Joiners))
		}
	})
}
