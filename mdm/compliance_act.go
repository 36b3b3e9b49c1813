package mdm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// ComplianceJob checks every tenant's compliance rules: it evaluates the active devices
// again (a patch grows old and a device falls silent without any report), and carries out
// the consequences of failures whose grace period has passed. It runs periodically; each
// consequence happens once per failure however often it runs, on however many replicas.
type ComplianceJob struct{}

// Kind names the job for the queue.
func (ComplianceJob) Kind() string { return "compliance_check" }

// ComplianceInterval is how often ComplianceJob runs.
const ComplianceInterval = time.Hour

// ComplianceResult counts what one run did.
type ComplianceResult struct {
	Checked, Acted int
}

// complianceBatchSize bounds one transaction of the periodic check.
const complianceBatchSize = 500

// RunCompliance carries out a ComplianceJob.
func (s *Service) RunCompliance(ctx context.Context, _ ComplianceJob) error {
	_, err := s.ApplyComplianceRules(ctx)
	return err
}

// ApplyComplianceRules is one run of the ComplianceJob.
func (s *Service) ApplyComplianceRules(ctx context.Context) (ComplianceResult, error) {
	var r ComplianceResult
	tenants, err := s.store.Tenants(ctx)
	if err != nil {
		return r, err
	}
	for _, t := range tenants {
		if err := s.recheckTenant(ctx, t, &r); err != nil {
			return r, fmt.Errorf("compliance of %s: %w", t.Name, err)
		}
		if err := s.actOnDue(ctx, t, &r); err != nil {
			return r, fmt.Errorf("compliance consequences of %s: %w", t.Name, err)
		}
	}
	return r, nil
}

// recheckTenant evaluates the active devices of every work policy with rules.
func (s *Service) recheckTenant(ctx context.Context, t Tenant, r *ComplianceResult) error {
	rules, err := s.store.RuleSettings(ctx, t.ID, nil)
	if err != nil {
		return err
	}
	failing, err := s.store.FailingPolicies(ctx, t.ID)
	if err != nil {
		return err
	}
	policies := slices.Sorted(maps.Keys(rules))
	for _, id := range failing {
		if !slices.Contains(policies, id) {
			policies = append(policies, id)
		}
	}
	for _, policyID := range policies {
		ds, err := s.policyDevices(ctx, t, policyID)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(ds, complianceBatchSize) {
			reports := make([]ComplianceReport, len(chunk))
			for i, d := range chunk {
				reports[i] = ComplianceReport{Device: d}
			}
			if err := s.atomic(ctx, func(tx Store, at time.Time) error { return s.CheckCompliance(ctx, tx, at, reports) }); err != nil {
				return err
			}
			r.Checked += len(chunk)
		}
	}
	return nil
}

// policyDevices returns the active devices that follow the work policy: the devices given
// it and, for the default policy (or ""), those without a policy of their own.
func (s *Service) policyDevices(ctx context.Context, t Tenant, policyID string) ([]Device, error) {
	var ds []Device
	if policyID != "" {
		var err error
		if ds, err = s.store.Devices(ctx, t.ID, DeviceFilter{State: DeviceActive, WorkPolicyID: policyID}); err != nil {
			return nil, err
		}
		p, err := s.store.WorkPolicy(ctx, t.ID, policyID)
		if err != nil {
			return nil, fmt.Errorf("work policy %s: %w", policyID, err)
		}
		if !p.Default {
			return ds, nil
		}
	}
	all, err := s.store.Devices(ctx, t.ID, DeviceFilter{State: DeviceActive})
	if err != nil {
		return nil, err
	}
	return append(ds, slices.DeleteFunc(all, func(d Device) bool { return d.WorkPolicyID != nil })...), nil
}

func (s *Service) actOnDue(ctx context.Context, t Tenant, r *ComplianceResult) error {
	for {
		due, err := s.store.DueComplianceFailures(ctx, t.ID, s.clock(), complianceBatchSize)
		if err != nil {
			return err
		}
		for _, f := range due {
			if err := s.actOnFailure(ctx, t, f, r); err != nil {
				return fmt.Errorf("device %s, rule %s: %w", f.DeviceID, f.Rule, err)
			}
		}
		if len(due) < complianceBatchSize {
			return nil
		}
	}
}

// actOnFailure carries out the consequences the tenant chose for the failure's rule, as
// the platform can: what is queued (a lock, a removal) and the mark on the failure share a
// transaction, and the mark succeeds once, so they happen once. Revoking certificates
// follows the commit, like every revocation.
func (s *Service) actOnFailure(ctx context.Context, t Tenant, f ComplianceFailure, r *ComplianceResult) error {
	var acted []Consequence
	var revoke bool
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		d, err := tx.Device(ctx, t.ID, f.DeviceID)
		if err != nil {
			return err
		}
		setting, err := deviceRule(ctx, tx, d, f.Rule)
		if err != nil {
			return err
		}
		acted, revoke = consequencesFor(setting, d, s.CapabilitiesOf(d.Platform))
		names := make([]string, len(acted))
		for i, c := range acted {
			names[i] = string(c)
		}
		if err := tx.SetComplianceActed(ctx, t.ID, d.ID, f.Rule, f.Since, strings.Join(names, ","), at); err != nil {
			return err
		}
		reason := fmt.Sprintf("compliance rule %s: %s", f.Rule, f.Reason)
		for _, c := range acted {
			switch {
			case c == ConsequenceLock && s.CapabilitiesOf(d.Platform).Has(CanLockWork):
				cmd := Command{ID: NewID(), DeviceID: d.ID, Kind: CommandLockWork, Payload: EmptyJSONObject, State: CommandQueued, CreatedAt: at}
				if err := QueueCommand(ctx, tx, t.ID, &cmd); err != nil {
					return err
				}
			case c == ConsequenceRemove:
				if err := OrderRemoval(ctx, tx, at, ActorSystem, t.ID, d, reason); err != nil {
					return err
				}
			}
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: ActorSystem, Action: audit.DeviceComplianceAct, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"rule": f.Rule, "reason": f.Reason, "since": f.Since, "consequences": acted,
				"platform": d.Platform, "certificates_revoked": revoke})})
		return err
	})
	switch {
	case errors.Is(err, ErrConflict), errors.Is(err, ErrNotFound):
		return nil // acted on by another replica, or the device met the rule meanwhile
	case err != nil:
		return err
	}
	r.Acted++
	if revoke && s.certs != nil {
		return s.RevokeRemoved(ctx, ActorSystem, t.ID, f.DeviceID, fmt.Sprintf("compliance rule %s: %s", f.Rule, f.Reason))
	}
	return nil
}

// deviceRule returns the setting of the rule in d's work policy; a rule switched off
// meanwhile comes back with no consequences.
func deviceRule(ctx context.Context, tx Store, d Device, rule ComplianceRule) (RuleSetting, error) {
	policyID, err := policyOf(ctx, tx, d)
	if err != nil {
		return RuleSetting{}, err
	}
	rules, err := tx.RuleSettings(ctx, d.TenantID, []string{policyID})
	if err != nil {
		return RuleSetting{}, err
	}
	return ruleOf(rules[policyID], rule), nil
}

// policyOf returns the work policy whose rules the device follows: its own, or the
// tenant's default for a device without one ("" when the tenant has none).
func policyOf(ctx context.Context, st Store, d Device) (string, error) {
	if d.WorkPolicyID != nil {
		return *d.WorkPolicyID, nil
	}
	p, err := st.DefaultWorkPolicy(ctx, d.TenantID)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("default work policy: %w", err)
	}
	return p.ID, nil
}

// consequencesFor returns the consequences to carry out on d after the grace period, and
// whether its certificates are to be revoked; can is what d's platform can do. Notify
// happened when the rule was broken. On a User Enrolment the MDM identity certificate is the phone's only channel to the
// server, the one its own removal travels on, so it is never revoked for compliance: the
// conditional-access endpoint refuses the device instead. A removal revokes on every
// platform, as removals always do.
func consequencesFor(r RuleSetting, d Device, can Capability) ([]Consequence, bool) {
	if d.State != DeviceActive {
		return nil, false
	}
	var out []Consequence
	revoke := false
	for _, c := range r.Consequences {
		switch c {
		case ConsequenceNotify:
			continue
		case ConsequenceRevoke:
			revoke = revoke || can.Has(RevocableWhileManaged)
		case ConsequenceRemove:
			revoke = true
		}
		out = append(out, c)
	}
	return out, revoke
}
