package compliance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Job checks every tenant's compliance rules: it evaluates the active devices
// again (a patch grows old and a device falls silent without any report), and carries out
// the consequences of failures whose grace period has passed. It runs periodically; each
// consequence happens once per failure however often it runs, on however many replicas.
type Job struct{}

// Kind names the job for the queue.
func (Job) Kind() string { return "compliance_check" }

// Interval is how often Job runs.
const Interval = time.Hour

// Result counts what one run did.
type Result struct {
	Checked, Acted int
}

// batchSize bounds how many due failures one step of the periodic check acts on; the
// devices themselves come a batch of mdm.EachDeviceBatch at a time, one transaction each.
const batchSize = 500

// Run carries out a Job.
func (s *Service) Run(ctx context.Context, _ Job) error {
	_, err := s.ApplyRules(ctx)
	return err
}

// ApplyRules is one run of the Job.
func (s *Service) ApplyRules(ctx context.Context) (Result, error) {
	var r Result
	tenants, err := s.DB.Tenants().Tenants(ctx)
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
func (s *Service) recheckTenant(ctx context.Context, t mdm.Tenant, r *Result) error {
	rules, err := s.Tables(s.DB).RuleSettings(ctx, t.ID, nil)
	if err != nil {
		return err
	}
	failing, err := s.Tables(s.DB).FailingPolicies(ctx, t.ID)
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
		err := s.eachPolicyDeviceBatch(ctx, t, policyID, func(ds []mdm.Device) error {
			reports := make([]Report, len(ds))
			for i, d := range ds {
				reports[i] = Report{Device: d}
			}
			if err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error { return s.Check(ctx, tx, at, reports) }); err != nil {
				return err
			}
			r.Checked += len(ds)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachPolicyDeviceBatch calls fn with the active devices that follow the work policy, a
// batch at a time (mdm.EachDeviceBatch): the devices given it and, for the default policy
// (or ""), those without a policy of their own.
func (s *Service) eachPolicyDeviceBatch(ctx context.Context, t mdm.Tenant, policyID string, fn func([]mdm.Device) error) error {
	if policyID != "" {
		err := mdm.EachDeviceBatch(ctx, s.DB.Devices(), t.ID, mdm.DeviceFilter{State: mdm.DeviceActive, WorkPolicyID: policyID}, fn)
		if err != nil {
			return err
		}
		p, err := s.DB.Policies().WorkPolicy(ctx, t.ID, policyID)
		if err != nil {
			return fmt.Errorf("work policy %s: %w", policyID, err)
		}
		if !p.Default {
			return nil
		}
	}
	return mdm.EachDeviceBatch(ctx, s.DB.Devices(), t.ID, mdm.DeviceFilter{State: mdm.DeviceActive}, func(ds []mdm.Device) error {
		if ds = slices.DeleteFunc(ds, func(d mdm.Device) bool { return d.WorkPolicyID != nil }); len(ds) == 0 {
			return nil
		}
		return fn(ds)
	})
}

func (s *Service) actOnDue(ctx context.Context, t mdm.Tenant, r *Result) error {
	for {
		due, err := s.Tables(s.DB).DueFailures(ctx, t.ID, s.Settings.Now(), batchSize)
		if err != nil {
			return err
		}
		for _, f := range due {
			if err := s.actOnFailure(ctx, t, f, r); err != nil {
				return fmt.Errorf("device %s, rule %s: %w", f.DeviceID, f.Rule, err)
			}
		}
		if len(due) < batchSize {
			return nil
		}
	}
}

// actOnFailure carries out the consequences the tenant chose for the failure's rule, as
// the platform can: what is queued (a lock, a removal) and the mark on the failure share a
// transaction, and the mark succeeds once, so they happen once. Revoking certificates
// follows the commit, like every revocation.
func (s *Service) actOnFailure(ctx context.Context, t mdm.Tenant, f Failure, r *Result) error {
	var acted []Consequence
	var revoke bool
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		d, err := tx.Devices().Device(ctx, t.ID, f.DeviceID)
		if err != nil {
			return err
		}
		setting, err := s.deviceRule(ctx, tx, d, f.Rule)
		if err != nil {
			return err
		}
		acted, revoke = consequencesFor(setting, d, s.Core.CapabilitiesOf(d.Platform))
		names := make([]string, len(acted))
		for i, c := range acted {
			names[i] = string(c)
		}
		if err := s.Tables(tx).SetActed(ctx, t.ID, d.ID, f.Rule, f.Since, strings.Join(names, ","), at); err != nil {
			return err
		}
		reason := fmt.Sprintf("compliance rule %s: %s", f.Rule, f.Reason)
		for _, c := range acted {
			switch {
			case c == ConsequenceLock && s.Core.CapabilitiesOf(d.Platform).Has(mdm.CanLockWork):
				cmd := mdm.Command{ID: mdm.NewID(), DeviceID: d.ID, Kind: mdm.CommandLockWork, Payload: mdm.EmptyJSONObject, State: mdm.CommandQueued, CreatedAt: at}
				if err := mdm.QueueCommand(ctx, tx, t.ID, &cmd); err != nil {
					return err
				}
			case c == ConsequenceRemove:
				if err := mdm.OrderRemoval(ctx, tx, at, mdm.ActorSystem, t.ID, d, reason); err != nil {
					return err
				}
			}
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceComplianceAct, Subject: audit.Device.Of(d.ID),
			Details: audit.Fields(map[string]any{"rule": f.Rule, "reason": f.Reason, "since": f.Since, "consequences": acted,
				"platform": d.Platform, "certificates_revoked": revoke})})
		return err
	})
	switch {
	case errors.Is(err, mdm.ErrConflict), errors.Is(err, mdm.ErrNotFound):
		return nil // acted on by another replica, or the device met the rule meanwhile
	case err != nil:
		return err
	}
	r.Acted++
	if revoke && s.Settings.Certificates != nil {
		return s.Core.RevokeRemoved(ctx, mdm.ActorSystem, t.ID, f.DeviceID, fmt.Sprintf("compliance rule %s: %s", f.Rule, f.Reason))
	}
	return nil
}

// deviceRule returns the setting of the rule in d's work policy; a rule switched off
// meanwhile comes back with no consequences.
func (s *Service) deviceRule(ctx context.Context, tx mdm.Store, d mdm.Device, rule Rule) (RuleSetting, error) {
	policyID, err := policyOf(ctx, tx, d)
	if err != nil {
		return RuleSetting{}, err
	}
	rules, err := s.Tables(tx).RuleSettings(ctx, d.TenantID, []string{policyID})
	if err != nil {
		return RuleSetting{}, err
	}
	return ruleOf(rules[policyID], rule), nil
}

// policyOf returns the work policy whose rules the device follows: its own, or the
// tenant's default for a device without one ("" when the tenant has none).
func policyOf(ctx context.Context, st mdm.Store, d mdm.Device) (string, error) {
	if d.WorkPolicyID != nil {
		return *d.WorkPolicyID, nil
	}
	p, err := st.Policies().DefaultWorkPolicy(ctx, d.TenantID)
	switch {
	case errors.Is(err, mdm.ErrNotFound):
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
func consequencesFor(r RuleSetting, d mdm.Device, can mdm.Capability) ([]Consequence, bool) {
	if d.State != mdm.DeviceActive {
		return nil, false
	}
	var out []Consequence
	revoke := false
	for _, c := range r.Consequences {
		switch c {
		case ConsequenceNotify:
			continue
		case ConsequenceRevoke:
			revoke = revoke || can.Has(mdm.RevocableWhileManaged)
		case ConsequenceRemove:
			revoke = true
		}
		out = append(out, c)
	}
	return out, revoke
}
