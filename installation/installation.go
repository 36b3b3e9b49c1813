// Package installation is one trennwand installation as the program opens it: its
// configuration (flags, environment, config file), its database with every migration
// series, its master key, the domain service on them and the CA, opened on first use.
// `trennwand serve` creates and upgrades an installation; every other command opens one
// that exists and changes nothing when there is none.
package installation

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/pki"
)

// Installation is an opened installation: its database and master key, and the domain
// service on them.
type Installation struct {
	Config  Config
	Log     *slog.Logger
	Store   *store.Store
	Service *domain.Services
	Key     *pki.MasterKey
	// Events counts what the domain, the platforms and the CA do, for /metrics.
	Events *metrics.Events
	ca     *pki.CA // opened on first use
}

// Close stops the CA, if it was opened, and closes the database.
func (in *Installation) Close() error {
	if in.ca != nil {
		in.ca.Close()
	}
	return in.Store.Close()
}

// Open opens an installation that `trennwand serve` has created before. It changes
// nothing on disk when there is none, and refuses a database whose schema does not match
// this program, so that only serve creates and upgrades the schema.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Installation, error) {
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
	key, err := LoadMasterKey(cfg, log, false)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	in := newInstallation(cfg, log, st, key)
	if err := in.Service.CheckSealer(ctx, false); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("%w (check TRENNWAND_MASTER_KEY or the key file %s)", err, cfg.MasterKeyFile())
	}
	if err := in.settlePublicURL(ctx, false); err != nil {
		_ = st.Close()
		return nil, err
	}
	return in, nil
}

// OpenForServe opens the installation, creating and upgrading it as needed: schema,
// master key, and on an empty installation the tenant "default" with its first
// administrator, whose credentials are returned to be shown once. The service it holds
// signs the audit trail's checkpoints with a signing certificate of its own.
func OpenForServe(ctx context.Context, cfg Config, log *slog.Logger) (*Installation, *access.AdminCredentials, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*Installation, *access.AdminCredentials, error) {
		_ = st.Close()
		return nil, nil, err
	}
	if err := st.Migrate(ctx, log); err != nil {
		return fail(err)
	}
	tenants, err := st.Tenants().Tenants(ctx)
	if err != nil {
		return fail(err)
	}
	// Only a new installation gets a new master key. An existing one whose key file is
	// missing (a restored backup, a second replica with its own data directory) would
	// otherwise start with a key that opens none of its sealed secrets.
	key, err := LoadMasterKey(cfg, log, len(tenants) == 0)
	if err != nil {
		return fail(err)
	}
	in := newInstallation(cfg, log, st, key)
	if err := in.Service.CheckSealer(ctx, true); err != nil {
		return fail(fmt.Errorf("%w (check TRENNWAND_MASTER_KEY or the key file %s)", err, cfg.MasterKeyFile()))
	}
	if err := in.settlePublicURL(ctx, true); err != nil {
		return fail(err)
	}
	creds, err := in.Service.Access.Bootstrap(ctx, cfg.AdminEmail)
	if err != nil {
		return fail(err)
	}
	if creds != nil {
		// Hashing the first administrator's password took 64 MiB (argon2id); give it back
		// to the system now rather than when the runtime gets round to it.
		debug.FreeOSMemory()
	}
	if in.Service, _, err = in.AuditService(ctx, true); err != nil {
		return fail(err)
	}
	return in, creds, nil
}

// newInstallation wires the domain service with the store, the master key and the CA.
func newInstallation(cfg Config, log *slog.Logger, st *store.Store, key *pki.MasterKey) *Installation {
	in := &Installation{Config: cfg, Log: log, Store: st, Key: key, Events: metrics.NewEvents()}
	in.Events.Platforms(string(mdm.PlatformIOS), string(mdm.PlatformAndroid))
	in.Service = domain.New(st, key, in.serviceOptions()...)
	return in
}

// openStore connects to the configured database with every migration series the program
// has: the domain's, the CA's, Apple MDM's and Android's.
func openStore(ctx context.Context, cfg Config) (*store.Store, error) {
	return store.Open(ctx, cfg.DB,
		store.WithMigrations(store.MigrationSource{Name: "pki", FS: pki.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "ios", FS: ios.Migrations()}),
		store.WithMigrations(store.MigrationSource{Name: "android", FS: android.Migrations()}))
}

// serviceOptions are what every domain service of the installation has: the CA for
// removals, the platforms with their capabilities, and invitation e-mail when SMTP is
// configured.
func (in *Installation) serviceOptions() []mdm.Option {
	opts := []mdm.Option{mdm.WithCertificates(caCertificates{in}),
		mdm.WithPlatforms(ios.Registration(), android.Registration()), mdm.WithEvents(in.Events)}
	if in.Config.SMTPURL != "" {
		opts = append(opts, mdm.WithInvitationMail(), mdm.WithNoticeMail())
	}
	return opts
}

// CA returns the installation's CA, opening it (and creating it on first use).
func (in *Installation) CA(ctx context.Context) (*pki.CA, error) {
	if in.ca != nil {
		return in.ca, nil
	}
	ca, err := pki.Open(ctx, in.Store.Tables().DB(), in.Key, pki.Config{
		Name: in.Config.PublicURL.Hostname(), PublicURL: in.Config.PublicURL,
		DeviceValidity: in.Config.DeviceCertValidity, Log: in.Log, OnSCEP: in.Events.SCEP,
		Revocations: revocationMemo{store.NewKept[bool](in.Store.Changes(), store.KeptPhones, "serial", nil)},
	})
	if err != nil {
		return nil, err
	}
	in.ca = ca
	return ca, nil
}

// revocationMemo keeps the CA's answers on revocation in the store's memory; a revocation
// is the change "serial:SERIAL".
type revocationMemo struct {
	*store.Kept[string, bool]
}

func (m revocationMemo) Record(tx *gorm.DB, serial string) error {
	return store.RecordChanges(tx, "serial:"+serial)
}

// AuditService returns a domain service with the CA as the audit trail's notary: it
// checks the signatures of checkpoints and, with sign, signs checkpoints of the events it
// appends with a new signing certificate, which it returns. The certificate is issued
// here, before any transaction: issuing writes to the database, which on SQLite would
// wait for the transaction that holds the write lock.
func (in *Installation) AuditService(ctx context.Context, sign bool) (*domain.Services, *pki.Signer, error) {
	ca, err := in.CA(ctx)
	if err != nil {
		return nil, nil, err
	}
	o := domain.Options{Trail: []trail.Option{trail.WithCheckpointVerifier(ca)}}
	var signer *pki.Signer
	if sign {
		if signer, err = ca.NewSigner(ctx); err != nil {
			return nil, nil, err
		}
		o.Trail = append(o.Trail, trail.WithAuditSigner(signer))
	}
	return domain.NewWith(in.Store, in.Key, o, in.serviceOptions()...), signer, nil
}

// Ready reports whether the installation can serve: the database answers and its schema
// is the one this program expects.
func (in *Installation) Ready(ctx context.Context) error {
	if err := in.Store.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	schema, err := in.Store.Schema(ctx)
	if err != nil {
		return err
	}
	if !schema.UpToDate() {
		return fmt.Errorf("database schema not current: %s", schema)
	}
	return nil
}

// caCertificates gives the domain what it needs of the CA, opening the CA when first
// needed.
type caCertificates struct{ in *Installation }

func (c caCertificates) RevokeEnrolment(ctx context.Context, tenantID, enrolmentID, reason string) (int, error) {
	ca, err := c.in.CA(ctx)
	if err != nil {
		return 0, err
	}
	return ca.RevokeEnrolment(ctx, pki.Identity{TenantID: tenantID, EnrolmentID: enrolmentID}, pki.ReasonCessationOfOperation, reason)
}

// EnrolmentCertificates lists what the CA issued to one enrolment, for the per-employee
// report.
func (c caCertificates) EnrolmentCertificates(ctx context.Context, tenantID, enrolmentID string) ([]dataprotection.DeviceCertificate, error) {
	ca, err := c.in.CA(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := ca.Certificates(ctx, tenantID, enrolmentID)
	if err != nil {
		return nil, err
	}
	out := make([]dataprotection.DeviceCertificate, len(infos))
	for i, ci := range infos {
		out[i] = dataprotection.DeviceCertificate{Serial: ci.Serial, Subject: ci.Subject, NotBefore: ci.NotBefore, NotAfter: ci.NotAfter, Revoked: ci.Revoked}
	}
	return out, nil
}
