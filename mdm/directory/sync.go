package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Interval is how often the job looks for tenants whose directory is due to be read and
// for leavers whose grace period ended.
const Interval = 5 * time.Minute

// Job reads every tenant's directory that is due and removes the work containers of
// leavers whose grace period ended. It runs periodically; what it does is kept in the
// database, so a run cut short by a restart is taken up by the next.
type Job struct{}

// Kind names the job for the queue.
func (Job) Kind() string { return "directory_sync" }

// Run carries out a Job.
func (s *Service) Run(ctx context.Context, _ Job) error {
	cfgs, err := s.Tables(s.DB).Configs(ctx)
	if err != nil {
		return err
	}
	var errs []error
	now := s.Settings.Now()
	for _, c := range cfgs {
		if !c.HasLDAP() || (c.LastSyncAt != nil && c.LastSyncAt.Add(time.Duration(c.SyncMinutes)*time.Minute).After(now)) {
			continue
		}
		t, err := s.DB.Tenants().TenantByID(ctx, c.TenantID)
		if err != nil {
			return err
		}
		if _, err := s.Sync(ctx, mdm.ActorSystem, t, false); err != nil {
			errs = append(errs, fmt.Errorf("directory of %s: %w", t.Name, err))
		}
	}
	if _, err := s.RemoveLeavers(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Sync reads the tenant's LDAP directory and applies it: joiners, movers and leavers.
// With dryRun it reports what it would do and changes nothing. The outcome (or the
// error) is kept for the settings page; a sync that changed something is audited.
func (s *Service) Sync(ctx context.Context, actor string, t mdm.Tenant, dryRun bool) (Result, error) {
	r, err := s.sync(ctx, actor, t, dryRun)
	if dryRun {
		return r, err
	}
	summary := ""
	if err == nil {
		b, _ := json.Marshal(map[string]int{"joiners": len(r.Joiners), "movers": len(r.Movers), "leavers": len(r.Leavers),
			"skipped": len(r.Skipped), "failed": len(r.Failed)})
		summary = string(b)
	}
	errText := ""
	if err != nil {
		errText = err.Error()
	}
	recordErr := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		if err := s.Tables(tx).SetSyncResult(ctx, t.ID, at, summary, errText); err != nil {
			return err
		}
		if err != nil || len(r.Joiners)+len(r.Movers)+len(r.Leavers)+len(r.Failed) == 0 {
			return nil
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DirectorySync, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"joiners": len(r.Joiners), "movers": len(r.Movers), "leavers": len(r.Leavers),
				"skipped": len(r.Skipped), "failed": len(r.Failed)})})
		return err
	})
	return r, errors.Join(err, recordErr)
}

func (s *Service) sync(ctx context.Context, actor string, t mdm.Tenant, dryRun bool) (Result, error) {
	cfg, err := s.TenantConfig(ctx, t)
	if err != nil {
		return Result{}, err
	}
	if !cfg.HasLDAP() {
		return Result{}, fmt.Errorf("%w: no LDAP directory is set for %s (trennwand directory set)", mdm.ErrInvalid, t.Name)
	}
	if s.source == nil {
		return Result{}, errors.New("directory: no LDAP reader configured")
	}
	password, err := s.password(cfg)
	if err != nil {
		return Result{}, err
	}
	raw, err := s.source.Read(ctx, cfg, password)
	if err != nil {
		return Result{}, fmt.Errorf("read the directory: %w", err)
	}
	entries := make([]Entry, 0, len(raw))
	var skipped []Skipped
	for _, e := range raw {
		n, err := NormalizeEntry(e)
		if err != nil {
			skipped = append(skipped, Skipped{ExternalID: e.ExternalID, Reason: err.Error()})
			continue
		}
		entries = append(entries, n)
	}
	r, err := s.Apply(ctx, actor, t, SourceLDAP, entries, true, dryRun)
	r.Skipped = append(skipped, r.Skipped...)
	return r, err
}
