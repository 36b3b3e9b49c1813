package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// installation is an opened trennwand installation: its database and master key, and the
// domain service on them.
type installation struct {
	cfg   config
	log   *slog.Logger
	store *store.Store
	svc   *mdm.Service
	key   *pki.MasterKey
	ca    *pki.CA // opened on first use

	// Set by serve: the parts whose background work the job queue runs.
	applePlatform   *ios.Platform
	appleLicences   *licences.Service
	pusher          *ios.Pusher
	androidPlatform *android.Platform
	// apnsRoots, if set, are the CAs the APNs server's certificate must come from (the
	// demo's fake).
	apnsRoots *x509.CertPool
	// demo is set in demo mode (serve --demo), which the dashboard shows.
	demo bool
}

// Close stops the CA, if it was opened, and closes the database.
func (in *installation) Close() error {
	if in.ca != nil {
		in.ca.Close()
	}
	return in.store.Close()
}

// newInstallation wires the domain service with the store, the master key and the CA.
func newInstallation(cfg config, log *slog.Logger, st *store.Store, key *pki.MasterKey) *installation {
	in := &installation{cfg: cfg, log: log, store: st, key: key}
	in.svc = mdm.NewService(st, key, in.serviceOptions()...)
	return in
}

// serviceOptions are what every domain service of the installation has: the CA for
// removals, the platforms with their capabilities, and invitation e-mail when
// SMTP is configured.
func (in *installation) serviceOptions() []mdm.Option {
	opts := []mdm.Option{mdm.WithCertificates(caCertificates{in}),
		mdm.WithPlatforms(ios.Registration(), android.Registration())}
	if in.cfg.SMTPURL != "" {
		opts = append(opts, mdm.WithInvitationMail(), mdm.WithNoticeMail())
	}
	return opts
}

// caCertificates gives the domain what it needs of the CA, opening the CA when first
// needed.
type caCertificates struct{ in *installation }

func (c caCertificates) RevokeEnrolment(ctx context.Context, tenantID, enrolmentID, reason string) (int, error) {
	ca, err := c.in.CA(ctx)
	if err != nil {
		return 0, err
	}
	return ca.RevokeEnrolment(ctx, pki.Identity{TenantID: tenantID, EnrolmentID: enrolmentID}, pki.ReasonCessationOfOperation, reason)
}

// openStore connects to the configured database with every migration series the program
// has: the domain's, the CA's, Apple MDM's and Android's.
func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	return store.Open(ctx, cfg.DB,
		store.WithMigrations(store.MigrationSource{Name: "pki", FS: pki.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
}

// CA returns the installation's CA, opening it (and creating it on first use).
func (in *installation) CA(ctx context.Context) (*pki.CA, error) {
	if in.ca != nil {
		return in.ca, nil
	}
	ca, err := pki.Open(ctx, in.store.Tables().DB(), in.key, pki.Config{
		Name: in.cfg.PublicURL.Hostname(), PublicURL: in.cfg.PublicURL,
		DeviceValidity: in.cfg.DeviceCertValidity, Log: in.log,
	})
	if err != nil {
		return nil, err
	}
	in.ca = ca
	return ca, nil
}

// openForCLI opens an installation that `trennwand serve` has created before. It changes
// nothing on disk when there is none, and refuses a database whose schema does not match
// this program, so that only `serve` creates and upgrades the schema.
func openForCLI(ctx context.Context, cfg config, log *slog.Logger) (*installation, error) {
	if !cfg.DB.Postgres {
		if _, err := os.Stat(cfg.DB.SQLitePath); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: start `trennwand serve` once with the same --data to create the installation", cfg.DB.SQLitePath)
		}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	schema, err := st.Schema(ctx)
	if err == nil && !schema.UpToDate() {
		err = fmt.Errorf("the database %s is not at the schema this program expects (%s): start `trennwand serve` of this version once to create or upgrade it", cfg.DB, schema)
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	key, err := loadMasterKey(cfg, log, false)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	in := newInstallation(cfg, log, st, key)
	if err := in.svc.CheckSealer(ctx, false); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("%w (check TRENNWAND_MASTER_KEY or the key file %s)", err, cfg.masterKeyFile())
	}
	if err := in.settlePublicURL(ctx, false); err != nil {
		_ = st.Close()
		return nil, err
	}
	return in, nil
}

// masterKeyFile is where the master key is kept when TRENNWAND_MASTER_KEY is not set.
func (c config) masterKeyFile() string { return filepath.Join(c.DataDir, "master.key") }

// loadMasterKey returns the master key from TRENNWAND_MASTER_KEY, or from the key file in
// the data directory, which is created when create is set and it does not exist.
func loadMasterKey(cfg config, log *slog.Logger, create bool) (*pki.MasterKey, error) {
	if cfg.MasterKey != nil {
		return cfg.MasterKey, nil
	}
	path := cfg.masterKeyFile()
	if !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no master key: set TRENNWAND_MASTER_KEY or keep the key file %s of this installation", path)
		}
	}
	key, created, err := pki.LoadOrCreateMasterKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("created a new master key file; keep a copy of it apart from the database backups, without it sealed secrets cannot be opened", "path", path)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		log.Warn("the master key file can be read by other users; make it mode 0600", "path", path, "mode", info.Mode().Perm().String())
	}
	// Said by the server at each start; every command line saying it again would be noise.
	if create && !cfg.DB.Postgres && filepath.Dir(cfg.DB.SQLitePath) == filepath.Dir(mustAbs(path)) {
		log.Warn("the master key file lies beside the database: whoever copies the data directory gets both; set TRENNWAND_MASTER_KEY from a secret store instead", "path", path)
	}
	return key, nil
}

func mustAbs(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	return abs
}

// cliActor names the operating-system user for the audit trail.
func cliActor() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return mdm.CLIActor(name)
}
