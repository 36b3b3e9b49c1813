package ldap_test

import (
	"context"
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/directory/ldap"
)

// The directory is read over LDAPS and over StartTLS with the certificate checked
// against the CA given, the reader's or the tenant's own; a certificate from a CA the
// reader does not trust ends the read before the password is sent, saying what to do.
func TestReadingOverTLS(t *testing.T) {
	cfg, _ := testDirectory(t)
	ldaps, caFile := os.Getenv("TRENNWAND_TEST_LDAPS"), os.Getenv("TRENNWAND_TEST_LDAP_CA")
	if ldaps == "" || caFile == "" {
		t.Skip("TRENNWAND_TEST_LDAPS is not set: scripts/test starts a throw-away slapd with TLS")
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	// The reader gets the settings as the directory stores them, defaults filled in.
	startTLS := directory.DefaultConfig("t")
	startTLS.LDAPURL, startTLS.BindDN, startTLS.BaseDN = cfg.LDAPURL, cfg.BindDN, cfg.BaseDN
	startTLS.UserFilter, startTLS.IDAttr, startTLS.StartTLS = cfg.UserFilter, cfg.IDAttr, true
	overTLS := startTLS
	overTLS.LDAPURL, overTLS.StartTLS = ldaps, false
	ctx := context.Background()
	for name, settings := range map[string]directory.Config{"ldaps": overTLS, "StartTLS": startTLS} {
		es, err := ldap.New(ldap.WithRootCAs(roots)).Read(ctx, settings, "sync-secret")
		if err != nil || len(es) != people {
			t.Errorf("%s: %d people (%v), want %d", name, len(es), err, people)
		}
		if _, err := ldap.New().Read(ctx, settings, "sync-secret"); err == nil || !strings.Contains(err.Error(), "--ca-file") {
			t.Errorf("%s: a certificate of an unknown CA: %v, want a refusal that says to give the CA", name, err)
		}
		// The tenant's own CA, stored with its settings, is trusted for its directory.
		own := settings
		own.CAPEM = string(pem)
		if es, err := ldap.New().Read(ctx, own, "sync-secret"); err != nil || len(es) != people {
			t.Errorf("%s with the tenant's CA: %d people (%v), want %d", name, len(es), err, people)
		}
	}
}
