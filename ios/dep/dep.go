// Package dep is Automated Device Enrollment through Apple Business Manager for the
// devices a tenant bought: per tenant,
//
//   - IT downloads the certificate of a key pair the server made (Certificate) and uploads
//     it to Apple Business Manager for this MDM server, then downloads the server token
//     (.p7m) there and uploads it here (SetToken): the token is decrypted with the key and
//     its OAuth tokens sealed at rest with the installation's master key, like the Apps and
//     Books token and the push certificate's key;
//   - a periodic job (SyncAllJob, then SyncJob per tenant, on the durable job queue)
//     fetches the devices assigned to the server (their serial number, model and
//     description: they are the tenant's own), first all of them and then the changes
//     after the cursor Apple handed out;
//   - the same job defines the tenant's enrolment profile with Apple once (pointing the
//     devices at the server's enrolment URL, supervised, mandatory) and assigns it to
//     every synced device that does not have it.
//
// Apple's API is spoken through github.com/micromdm/nanodep (its godep client, which signs
// the session with OAuth 1 and keeps the session token, and its tokenpki helpers for the
// token file); ios/depfake plays Apple's side in tests and demo mode. The package keeps
// its own tables (ios_dep_); a device that enrols through the profile becomes a
// company-owned device of the employee whose company invitation it redeems.
package dep

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// DefaultURL is Apple's device assignment service.
const DefaultURL = "https://mdmenrollment.apple.com/"

// Config says what Automated Device Enrollment needs.
type Config struct {
	// Tables are the component's tables in the installation's database (ios_dep_).
	Tables store.Tables
	// Sealer seals the key pairs and the server tokens (the installation's master key).
	Sealer mdm.Sealer
	// URL is the base URL of Apple's service (or the fake's); empty is DefaultURL.
	URL string
	// Client makes the HTTP requests; nil is http.DefaultClient.
	Client *http.Client
	// EnrolURL is the URL the tenant's devices enrol at, which the enrolment profile
	// names; WebURL is the sign-in page they show first, where the employee enters the
	// code of a company invitation.
	EnrolURL, WebURL func(tenantID string) string
	// AnchorCerts are the certificates (DER) the devices trust the enrolment URL by: the
	// installation's CA root unless the server's certificate is publicly trusted.
	AnchorCerts [][]byte
	// Now is the domain's clock, which audit events are stamped with; nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Service is Automated Device Enrollment of a whole installation, every tenant's.
type Service struct {
	cfg    Config
	tables store.Tables
	db     *gorm.DB
}

// New returns the service on its tables.
func New(cfg Config) (*Service, error) {
	if cfg.Tables.DB() == nil || cfg.Sealer == nil || cfg.EnrolURL == nil || cfg.WebURL == nil {
		return nil, errors.New("dep: the database, the sealer and the enrolment URLs are needed")
	}
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, tables: cfg.Tables, db: cfg.Tables.DB()}, nil
}

// HandleJobs registers the workers of the device sync on the queue.
func (s *Service) HandleJobs(q *jobs.Queue) {
	jobs.Handle(q, s.SyncAll)
	jobs.Handle(q, s.Sync)
}

// ScheduleJobs has every tenant's devices synced every SyncInterval.
func (s *Service) ScheduleJobs(q *jobs.Queue) { q.Every(SyncInterval, SyncAllJob{}) }

// record appends an audit event in tx, the transaction of the change it records.
func (s *Service) record(ctx context.Context, tx *store.Tx, tenantID string, rec audit.Record) error {
	_, err := tx.AppendAudit(ctx, tenantID, s.cfg.Now(), rec)
	return err
}

// keyPurpose and tokensPurpose bind a sealed key and sealed tokens to their tenant.
func keyPurpose(tenantID string) string    { return "ios dep key " + tenantID }
func tokensPurpose(tenantID string) string { return "ios dep tokens " + tenantID }
