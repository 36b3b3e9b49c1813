package licences

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
)

// SyncJob reads a tenant's catalogue from Apple.
type SyncJob struct {
	TenantID string `json:"tenant_id"`
}

// Kind names the job's worker.
func (SyncJob) Kind() string { return "ios_vpp_sync" }

// SyncAllJob has the catalogue of every tenant with a content token read again; it runs
// every SyncInterval.
type SyncAllJob struct{}

// Kind names the job's worker.
func (SyncAllJob) Kind() string { return "ios_vpp_sync_all" }

// SyncInterval is how often the catalogues are read from Apple: licences bought in
// Apple Business Manager show up, and failed assignments are tried again, within it.
const SyncInterval = time.Hour

// SyncAllCatalogues is the worker of SyncAllJob.
func (lic *Service) SyncAllCatalogues(ctx context.Context, _ SyncAllJob) error {
	var tenants []string
	if err := lic.db.WithContext(ctx).Model(&vppToken{}).Pluck("tenant_id", &tenants).Error; err != nil {
		return fmt.Errorf("tenants with an Apps and Books token: %w", err)
	}
	for _, id := range tenants {
		if err := lic.enqueue(ctx, SyncJob{TenantID: id}, mdm.JobOptions{Unique: true}); err != nil {
			return err
		}
	}
	return nil
}

// SyncCatalogue is the worker of SyncJob: it reads every page of the tenant's assets,
// names the apps through the metadata service, replaces the tenant's catalogue with them
// and has the licences reconciled with it.
func (lic *Service) SyncCatalogue(ctx context.Context, job SyncJob) error {
	sToken, _, err := lic.sToken(ctx, job.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil // the token was removed since
	} else if err != nil {
		return err
	}
	var assets []vpp.Asset
	for page := 0; ; {
		got, err := lic.client.Assets(ctx, sToken, page)
		if err != nil {
			return lic.apiFailure(ctx, job.TenantID, "read the Apps and Books catalogue", err)
		}
		assets = append(assets, got.Assets...)
		if got.NextPageIndex == nil || *got.NextPageIndex <= page {
			break
		}
		page = *got.NextPageIndex
	}
	ids := make([]string, 0, len(assets))
	for _, a := range assets {
		ids = append(ids, a.AdamID)
	}
	names, err := lic.client.Lookup(ctx, sToken, ids)
	if err != nil {
		return lic.apiFailure(ctx, job.TenantID, "name the apps of the Apps and Books catalogue", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	rows := make([]vppAsset, 0, len(assets))
	for _, a := range assets {
		m, ok := names[a.AdamID]
		if !ok || m.BundleID == "" || a.ProductType == "Book" {
			continue // books, and apps Apple cannot name, cannot be installed as work apps
		}
		rows = append(rows, vppAsset{TenantID: job.TenantID, AdamID: a.AdamID, BundleID: m.BundleID, Name: m.Name,
			PricingParam: a.PricingParam, TotalCount: a.TotalCount, AssignedCount: a.AssignedCount,
			AvailableCount: a.AvailableCount, SyncedAt: now})
	}
	return lic.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		if err := tx.Where("tenant_id = ?", job.TenantID).Delete(&vppAsset{}).Error; err != nil {
			return fmt.Errorf("replace the Apps and Books catalogue: %w", err)
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 200).Error; err != nil {
				return fmt.Errorf("replace the Apps and Books catalogue: %w", err)
			}
		}
		err := tx.Model(&vppToken{}).Where("tenant_id = ?", job.TenantID).Updates(map[string]any{"problem": "", "synced_at": now}).Error
		if err != nil {
			return fmt.Errorf("record the catalogue's synchronisation: %w", err)
		}
		return enqueueReconcile(ctx, dom, job.TenantID, "")
	})
}

// apiFailure decides what becomes of a job that Apple answered with an error: a rate
// limit postpones it by Apple's pause, a temporary failure is retried with growing
// pauses, an unusable token is recorded (and shown) and the job given up until a new
// token is uploaded; anything else is retried too.
func (lic *Service) apiFailure(ctx context.Context, tenantID, what string, err error) error {
	e, ok := vpp.AsAPIError(err)
	switch {
	case !ok:
		return fmt.Errorf("%s: %w", what, err)
	case e.RateLimited():
		lic.log.Info("Apple's Apps and Books API asks to slow down", "tenant", tenantID, "retry_after", e.RetryAfter)
		return jobs.Later(e.RetryAfter)
	case e.TokenUnusable():
		problem := tokenProblem(e)
		if err := lic.setTokenProblem(ctx, tenantID, problem); err != nil {
			return err
		}
		if err := lic.failWaitingLicences(ctx, tenantID, problem); err != nil {
			return err
		}
		return jobs.Permanent(fmt.Errorf("%s: %s: %w", what, problem, err))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// tokenProblem says in plain words what is wrong with the token and what to do.
func tokenProblem(e *vpp.APIError) string {
	switch e.Number {
	case vpp.ErrTokenExpired:
		return "token expired: download a new Apps and Books token in Apple Business Manager and upload it"
	case vpp.ErrTokenRevoked:
		return "token revoked: a newer Apps and Books token was downloaded in Apple Business Manager; upload it"
	}
	return "token refused by Apple: upload the current Apps and Books token from Apple Business Manager"
}
