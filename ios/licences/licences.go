// Package licences is the licensing of work apps on iPhones through Apple's Apps and
// Books. User Enrolment installs only apps the organisation holds licences for, and a
// licence cannot go to the phone (its serial number is hidden from the MDM): it goes to
// the user behind the managed Apple account. So, per tenant:
//
//   - the content token from Apple Business Manager is uploaded (sealed at rest);
//   - the catalogue (apps with licence counts, names, bundle IDs) is read from Apple
//     (SyncJob, hourly and after every upload);
//   - every employee with an active iPhone whose work policy requires an app of the
//     catalogue is to hold a licence of it; ReconcileJob compares that with the
//     licences held and reserves or releases them (each change audited);
//   - AssociateJob and ReleaseJob register the employees as Apple users (client user
//     ID = the employee's ID, tied to the managed Apple account, so no invitation is
//     needed) and associate or disassociate the licences; EventJob polls Apple's
//     asynchronous event until it is done and records the outcome;
//   - a licence that is associated lets the iPhone platform send InstallApplication
//     (Gate); one that failed (no licences left, token expired) is shown on the device
//     and the policy and tried again once the catalogue shows free licences or a new
//     token is uploaded.
//
// Apple's rate limits (429 with Retry-After) postpone the job by that pause; its internal
// errors are retried with the queue's growing pauses.
//
// The package keeps its own tables (ios_vpp_); it reads the domain's tenants, devices,
// policies and employees through Domain, and the iPhone platform asks it through Gate and
// Reconcile (ios.Licences), so neither reaches into the other's rows.
package licences

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// TokenWarning is how long before its expiry a content token is reported as expiring.
const TokenWarning = 30 * 24 * time.Hour

// Domain is what the licensing reads of the domain's rows: the tenants, the employees
// and their devices, and the work policies those follow.
type Domain interface {
	Tenants() mdm.TenantStore
	Devices() mdm.DeviceStore
	Policies() mdm.PolicyStore
}

// Config says what the licensing of work apps needs.
type Config struct {
	// Tables are the component's tables in the installation's database (ios_vpp_).
	Tables store.Tables
	// Domain reads the domain's tenants, employees, devices and work policies.
	Domain Domain
	// Sealer seals the content tokens (the installation's master key).
	Sealer mdm.Sealer
	// Client calls Apple's Apps and Books API (or the fake).
	Client *vpp.Client
	// Now is the domain's clock, which audit events are stamped with; nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
	// PollPause is how long to wait before asking again about an event Apple has not
	// finished; zero means 5 seconds.
	PollPause time.Duration
}

// Service is the licensing of a whole installation, every tenant's.
type Service struct {
	tables store.Tables
	db     *gorm.DB // tables.DB(), for reading
	domain Domain
	sealer mdm.Sealer
	client *vpp.Client
	now    func() time.Time
	log    *slog.Logger
	pause  time.Duration
	// passes holds the tenants whose association or release runs (alone).
	passes sync.Map
}

var _ mdm.AppLicensing = (*Service)(nil)

// New returns the licensing on its tables and Apple's Apps and Books API.
func New(cfg Config) (*Service, error) {
	if cfg.Tables.DB() == nil || cfg.Domain == nil || cfg.Sealer == nil || cfg.Client == nil {
		return nil, errors.New("licences: the database, the domain, the sealer and the Apps and Books client are needed")
	}
	if cfg.PollPause == 0 {
		cfg.PollPause = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{tables: cfg.Tables, db: cfg.Tables.DB(), domain: cfg.Domain, sealer: cfg.Sealer, client: cfg.Client,
		now: cfg.Now, log: cfg.Log, pause: cfg.PollPause}, nil
}

// record appends an audit event in tx, the transaction of the change it records, at the
// domain's time.
func (lic *Service) record(ctx context.Context, tx *store.Tx, tenantID string, rec audit.Record) error {
	_, err := tx.AppendAudit(ctx, tenantID, lic.now(), rec)
	return err
}

// enqueue queues a job in a transaction of its own.
func (lic *Service) enqueue(ctx context.Context, job mdm.Job, opts mdm.JobOptions) error {
	return lic.tables.Atomic(ctx, func(tx *store.Tx) error { return tx.EnqueueJob(ctx, job, opts) })
}

// vppTokenPurpose binds a sealed content token to its tenant.
func vppTokenPurpose(tenantID string) string { return "ios vpp token " + tenantID }

// SetLicenceToken makes the .vpptoken file the tenant's content token, replacing an older
// one, with its audit event and the catalogue's synchronisation in the same transaction.
// A malformed or expired token is refused (mdm.ErrInvalid) and nothing is written.
func (lic *Service) SetLicenceToken(ctx context.Context, actor, tenantID string, file []byte) (mdm.LicenceToken, error) {
	tok, err := vpp.ParseToken(file)
	if err != nil {
		return mdm.LicenceToken{}, mdm.Refuse("refusal.vpp_token.unreadable", fmt.Errorf("%w: %v", mdm.ErrInvalid, err))
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if tok.Expired(now) {
		return mdm.LicenceToken{}, mdm.Refuse("refusal.vpp_token.expired", fmt.Errorf("%w: the Apps and Books token expired on %s; download a new one in Apple Business Manager (Preferences → Payments and Billing)",
			mdm.ErrInvalid, tok.ExpiresAt.Format(time.DateOnly)), "Date", tok.ExpiresAt.Format(time.DateOnly))
	}
	sealed, err := lic.sealer.Seal(vppTokenPurpose(tenantID), []byte(tok.SToken))
	if err != nil {
		return mdm.LicenceToken{}, fmt.Errorf("seal the Apps and Books token: %w", err)
	}
	err = lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		err := tx.Exec(`INSERT INTO ios_vpp_tokens (tenant_id, sealed_token, organisation, expires_at, problem, updated_at) VALUES (?, ?, ?, ?, '', ?)
ON CONFLICT (tenant_id) DO UPDATE SET sealed_token = excluded.sealed_token, organisation = excluded.organisation,
    expires_at = excluded.expires_at, problem = '', updated_at = excluded.updated_at`,
			tenantID, sealed, tok.Organisation, tok.ExpiresAt, now).Error
		if err != nil {
			return fmt.Errorf("store the Apps and Books token: %w", err)
		}
		if err := lic.record(ctx, dom, tenantID, audit.Record{Actor: actor, Action: audit.AppleVPPTokenSet,
			Subject: audit.Tenant.Of(tenantID), Details: audit.Fields(map[string]any{"organisation": tok.Organisation,
				"expires_at": tok.ExpiresAt.Format(time.RFC3339)})}); err != nil {
			return err
		}
		return dom.EnqueueJob(ctx, SyncJob{TenantID: tenantID}, mdm.JobOptions{Unique: true})
	})
	if err != nil {
		return mdm.LicenceToken{}, err
	}
	return lic.LicenceToken(ctx, tenantID)
}

// LicenceToken returns the tenant's content token; mdm.ErrNotFound when none was uploaded.
func (lic *Service) LicenceToken(ctx context.Context, tenantID string) (mdm.LicenceToken, error) {
	row, err := lic.token(ctx, tenantID)
	if err != nil {
		return mdm.LicenceToken{}, err
	}
	now := time.Now()
	return mdm.LicenceToken{Organisation: row.Organisation, ExpiresAt: row.ExpiresAt, UpdatedAt: row.UpdatedAt,
		Expiring: now.Add(TokenWarning).After(row.ExpiresAt), Expired: !now.Before(row.ExpiresAt),
		Problem: row.Problem, SyncedAt: row.SyncedAt}, nil
}

// SyncLicensedApps asks for the tenant's catalogue to be read again from Apple.
func (lic *Service) SyncLicensedApps(ctx context.Context, actor, tenantID string) error {
	if _, err := lic.token(ctx, tenantID); err != nil {
		return err
	}
	return lic.enqueue(ctx, SyncJob{TenantID: tenantID}, mdm.JobOptions{Unique: true})
}

// TokenCheckJob looks, once a day, for content tokens that expire soon.
type TokenCheckJob struct{}

// Kind names the job's worker.
func (TokenCheckJob) Kind() string { return "ios_vpp_token_check" }

// CheckTokens warns in the log about every tenant whose content token has expired
// or expires within TokenWarning; it is the worker of TokenCheckJob.
func (lic *Service) CheckTokens(ctx context.Context, _ TokenCheckJob) error {
	tenants, err := lic.domain.Tenants().Tenants(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		tok, err := lic.LicenceToken(ctx, t.ID)
		if errors.Is(err, mdm.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		switch {
		case tok.Expired:
			lic.log.Error("the tenant's Apps and Books token has expired: no work app licences can be assigned; download a new one in Apple Business Manager and upload it",
				"tenant", t.Name, "organisation", tok.Organisation, "expired", tok.ExpiresAt)
		case tok.Expiring:
			lic.log.Warn("the tenant's Apps and Books token expires soon: download a new one in Apple Business Manager and upload it",
				"tenant", t.Name, "organisation", tok.Organisation, "expires", tok.ExpiresAt)
		}
	}
	return nil
}

// HandleJobs registers the workers of the licensing jobs on the queue.
func (lic *Service) HandleJobs(q *jobs.Queue) {
	jobs.Handle(q, lic.SyncCatalogue)
	jobs.Handle(q, lic.SyncAllCatalogues)
	jobs.Handle(q, lic.ReconcileLicences)
	jobs.Handle(q, lic.AssociateLicences)
	jobs.Handle(q, lic.ReleaseLicences)
	jobs.Handle(q, lic.PollLicenceEvent)
	jobs.Handle(q, lic.CheckTokens)
}

// ScheduleJobs has the catalogues read every SyncInterval and the tokens'
// expiry checked daily.
func (lic *Service) ScheduleJobs(q *jobs.Queue) {
	q.Every(SyncInterval, SyncAllJob{})
	q.Every(24*time.Hour, TokenCheckJob{})
}
