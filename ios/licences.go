package ios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// User Enrolment installs only apps the organisation holds Apple Apps and Books licences
// for, and a licence cannot go to the phone (its serial number is hidden from the MDM): it
// goes to the user behind the managed Apple account. So, per tenant:
//
//   - the content token from Apple Business Manager is uploaded (sealed at rest);
//   - the catalogue (apps with licence counts, names, bundle IDs) is read from Apple
//     (VPPSyncJob, hourly and after every upload);
//   - every employee with an active iPhone whose work policy requires an app of the
//     catalogue is to hold a licence of it; VPPReconcileJob compares that with the
//     licences held and reserves or releases them (each change audited);
//   - VPPAssociateJob and VPPReleaseJob register the employees as Apple users (client user
//     ID = the employee's ID, tied to the managed Apple account, so no invitation is
//     needed) and associate or disassociate the licences; VPPEventJob polls Apple's
//     asynchronous event until it is done and records the outcome;
//   - a licence that is associated lets ApplyPolicy send InstallApplication; one that
//     failed (no licences left, token expired) is shown on the device and the policy and
//     tried again once the catalogue shows free licences or a new token is uploaded.
//
// Apple's rate limits (429 with Retry-After) postpone the job by that pause; its internal
// errors are retried with the queue's growing pauses.

// VPPTokenWarning is how long before its expiry a content token is reported as expiring.
const VPPTokenWarning = 30 * 24 * time.Hour

// LicensingConfig says what the licensing of work apps needs.
type LicensingConfig struct {
	// Tables are the component's tables in the installation's database (ios_vpp_).
	Tables store.Tables
	// Sealer seals the content tokens (the installation's master key).
	Sealer mdm.Sealer
	// Client calls Apple's Apps and Books API (or the fake).
	Client *vpp.Client
	// PollPause is how long to wait before asking again about an event Apple has not
	// finished; zero means 5 seconds.
	PollPause time.Duration
}

// licensing is the Apps and Books side of the platform.
type licensing struct {
	tables store.Tables
	db     *gorm.DB // tables.DB(), for reading
	sealer mdm.Sealer
	client *vpp.Client
	pause  time.Duration
}

var _ mdm.AppLicensing = (*Platform)(nil)

// UseLicences turns on the licensing of work apps: from now on ApplyPolicy installs an app
// only for employees who hold its licence. Without it (tests of the protocol alone) apps
// are installed without looking at licences.
func (p *Platform) UseLicences(cfg LicensingConfig) error {
	if cfg.Tables.DB() == nil || cfg.Sealer == nil || cfg.Client == nil {
		return errors.New("ios licences: the database, the sealer, the Apps and Books client and the domain store are needed")
	}
	if cfg.PollPause == 0 {
		cfg.PollPause = 5 * time.Second
	}
	p.lic = &licensing{tables: cfg.Tables, db: cfg.Tables.DB(), sealer: cfg.Sealer, client: cfg.Client, pause: cfg.PollPause}
	return nil
}

// errNoLicensing answers calls when UseLicences was not called.
var errNoLicensing = errors.New("licensing through Apple Apps and Books is not set up on this server")

// vppTokenPurpose binds a sealed content token to its tenant.
func vppTokenPurpose(tenantID string) string { return "ios vpp token " + tenantID }

// SetLicenceToken makes the .vpptoken file the tenant's content token, replacing an older
// one, with its audit event and the catalogue's synchronisation in the same transaction.
// A malformed or expired token is refused (mdm.ErrInvalid) and nothing is written.
func (p *Platform) SetLicenceToken(ctx context.Context, actor, tenantID string, file []byte) (mdm.LicenceToken, error) {
	if p.lic == nil {
		return mdm.LicenceToken{}, errNoLicensing
	}
	tok, err := vpp.ParseToken(file)
	if err != nil {
		return mdm.LicenceToken{}, fmt.Errorf("%w: %v", mdm.ErrInvalid, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if tok.Expired(now) {
		return mdm.LicenceToken{}, fmt.Errorf("%w: the Apps and Books token expired on %s; download a new one in Apple Business Manager (Preferences → Payments and Billing)",
			mdm.ErrInvalid, tok.ExpiresAt.Format(time.DateOnly))
	}
	sealed, err := p.lic.sealer.Seal(vppTokenPurpose(tenantID), []byte(tok.SToken))
	if err != nil {
		return mdm.LicenceToken{}, fmt.Errorf("seal the Apps and Books token: %w", err)
	}
	err = p.lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		err := tx.Exec(`INSERT INTO ios_vpp_tokens (tenant_id, sealed_token, organisation, expires_at, problem, updated_at) VALUES (?, ?, ?, ?, '', ?)
ON CONFLICT (tenant_id) DO UPDATE SET sealed_token = excluded.sealed_token, organisation = excluded.organisation,
    expires_at = excluded.expires_at, problem = '', updated_at = excluded.updated_at`,
			tenantID, sealed, tok.Organisation, tok.ExpiresAt, now).Error
		if err != nil {
			return fmt.Errorf("store the Apps and Books token: %w", err)
		}
		if err := p.record(ctx, dom, tenantID, audit.Record{Actor: actor, Action: audit.AppleVPPTokenSet,
			Subject: audit.Tenant.Of(tenantID), Details: audit.Fields(map[string]any{"organisation": tok.Organisation,
				"expires_at": tok.ExpiresAt.Format(time.RFC3339)})}); err != nil {
			return err
		}
		return dom.EnqueueJob(ctx, VPPSyncJob{TenantID: tenantID}, mdm.JobOptions{Unique: true})
	})
	if err != nil {
		return mdm.LicenceToken{}, err
	}
	return p.LicenceToken(ctx, tenantID)
}

// LicenceToken returns the tenant's content token; mdm.ErrNotFound when none was uploaded.
func (p *Platform) LicenceToken(ctx context.Context, tenantID string) (mdm.LicenceToken, error) {
	if p.lic == nil {
		return mdm.LicenceToken{}, errNoLicensing
	}
	row, err := p.lic.token(ctx, tenantID)
	if err != nil {
		return mdm.LicenceToken{}, err
	}
	now := time.Now()
	return mdm.LicenceToken{Organisation: row.Organisation, ExpiresAt: row.ExpiresAt, UpdatedAt: row.UpdatedAt,
		Expiring: now.Add(VPPTokenWarning).After(row.ExpiresAt), Expired: !now.Before(row.ExpiresAt),
		Problem: row.Problem, SyncedAt: row.SyncedAt}, nil
}

// SyncLicensedApps asks for the tenant's catalogue to be read again from Apple.
func (p *Platform) SyncLicensedApps(ctx context.Context, actor, tenantID string) error {
	if p.lic == nil {
		return errNoLicensing
	}
	if _, err := p.lic.token(ctx, tenantID); err != nil {
		return err
	}
	return p.svc.Store().EnqueueJob(ctx, VPPSyncJob{TenantID: tenantID}, mdm.JobOptions{Unique: true})
}

// VPPTokenCheckJob looks, once a day, for content tokens that expire soon.
type VPPTokenCheckJob struct{}

// Kind names the job's worker.
func (VPPTokenCheckJob) Kind() string { return "ios_vpp_token_check" }

// CheckLicenceTokens warns in the log about every tenant whose content token has expired
// or expires within VPPTokenWarning; it is the worker of VPPTokenCheckJob.
func (p *Platform) CheckLicenceTokens(ctx context.Context, _ VPPTokenCheckJob) error {
	tenants, err := p.svc.Store().Tenants(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		tok, err := p.LicenceToken(ctx, t.ID)
		if errors.Is(err, mdm.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		switch {
		case tok.Expired:
			p.log.Error("the tenant's Apps and Books token has expired: no work app licences can be assigned; download a new one in Apple Business Manager and upload it",
				"tenant", t.Name, "organisation", tok.Organisation, "expired", tok.ExpiresAt)
		case tok.Expiring:
			p.log.Warn("the tenant's Apps and Books token expires soon: download a new one in Apple Business Manager and upload it",
				"tenant", t.Name, "organisation", tok.Organisation, "expires", tok.ExpiresAt)
		}
	}
	return nil
}

// HandleLicenceJobs registers the workers of the licensing jobs on the queue.
func (p *Platform) HandleLicenceJobs(q *jobs.Queue) {
	jobs.Handle(q, p.SyncCatalogue)
	jobs.Handle(q, p.SyncAllCatalogues)
	jobs.Handle(q, p.ReconcileLicences)
	jobs.Handle(q, p.AssociateLicences)
	jobs.Handle(q, p.ReleaseLicences)
	jobs.Handle(q, p.PollLicenceEvent)
	jobs.Handle(q, p.CheckLicenceTokens)
}

// ScheduleLicenceJobs has the catalogues read every VPPSyncInterval and the tokens'
// expiry checked daily.
func (p *Platform) ScheduleLicenceJobs(q *jobs.Queue) {
	q.Every(VPPSyncInterval, VPPSyncAllJob{})
	q.Every(24*time.Hour, VPPTokenCheckJob{})
}
