package compliance

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Access is the conditional-access answer about one device: whether it is an
// enrolled, active device that may reach work services.
type Access struct {
	Active    bool
	Compliant bool
	// Rules are the rules whose consequences withdrew the device's work access.
	Rules []Rule
}

// withdrawing are the consequences that end a device's work access until it complies.
var withdrawing = []Consequence{ConsequenceMark, ConsequenceRevoke, ConsequenceLock, ConsequenceRemove}

// AccessOf answers whether the tenant's device may reach work services: it is active and
// no failure's consequences (after its grace period) withdrew its access.
func (s *Service) AccessOf(ctx context.Context, tenantID, deviceID string) (Access, error) {
	d, err := s.DB.Devices().Device(ctx, tenantID, deviceID)
	if err != nil {
		return Access{}, fmt.Errorf("device %s: %w", deviceID, err)
	}
	fs, err := s.Tables(s.DB).Failures(ctx, tenantID, []string{deviceID})
	if err != nil {
		return Access{}, fmt.Errorf("compliance of device %s: %w", deviceID, err)
	}
	a := Access{Active: d.State == mdm.DeviceActive}
	for _, f := range fs {
		if slices.ContainsFunc(withdrawing, f.ActedOn) {
			a.Rules = append(a.Rules, f.Rule)
		}
	}
	a.Compliant = a.Active && len(a.Rules) == 0
	return a, nil
}

// CertificatesWithheld reports whether the device's certificates were revoked for a rule
// it still breaks, so that it gets no new one until it complies again.
func (s *Service) CertificatesWithheld(ctx context.Context, tenantID, deviceID string) (bool, error) {
	fs, err := s.Tables(s.DB).Failures(ctx, tenantID, []string{deviceID})
	if err != nil {
		return false, fmt.Errorf("compliance of device %s: %w", deviceID, err)
	}
	return slices.ContainsFunc(fs, func(f Failure) bool { return f.ActedOn(ConsequenceRevoke) }), nil
}

// RuleStatus is one rule's verdict on a device as the dashboard and the portal show it.
type RuleStatus struct {
	RuleResult
	// Failure is the open failure of the rule; nil when the device does not break it.
	Failure *Failure
}

// DeviceCompliance is a device's compliance as it stands: each rule of its work policy
// with its reason and, when broken, since when; and the latest changes.
type DeviceCompliance struct {
	Rules   []RuleStatus
	History []Change
}

// historyShown bounds the history a device page shows.
const historyShown = 20

// Of returns the device's compliance, evaluated now against its work policy's
// rules.
func (s *Service) Of(ctx context.Context, tenantID, deviceID string) (DeviceCompliance, error) {
	var out DeviceCompliance
	d, err := s.DB.Devices().Device(ctx, tenantID, deviceID)
	if err != nil {
		return out, fmt.Errorf("device %s: %w", deviceID, err)
	}
	rules, facts, err := s.rulesAndFacts(ctx, d)
	if err != nil {
		return out, err
	}
	fs, err := s.Tables(s.DB).Failures(ctx, tenantID, []string{deviceID})
	if err != nil {
		return out, fmt.Errorf("compliance of device %s: %w", deviceID, err)
	}
	for _, res := range Evaluate(rules, d, s.Core.CapabilitiesOf(d.Platform), facts, s.Settings.Now()) {
		st := RuleStatus{RuleResult: res}
		if i := slices.IndexFunc(fs, func(f Failure) bool { return f.Rule == res.Rule }); i >= 0 {
			st.Failure = &fs[i]
		}
		out.Rules = append(out.Rules, st)
	}
	out.History, err = s.Tables(s.DB).History(ctx, tenantID, deviceID, historyShown)
	return out, err
}

// RulesOf returns the compliance rules of the device's work policy (the default
// policy's for a device without one of its own).
func (s *Service) RulesOf(ctx context.Context, d mdm.Device) ([]RuleSetting, error) {
	rules, _, err := s.rulesAndFacts(ctx, d)
	return rules, err
}

func (s *Service) rulesAndFacts(ctx context.Context, d mdm.Device) ([]RuleSetting, Facts, error) {
	var facts Facts
	policyID, err := policyOf(ctx, s.DB, d)
	if err != nil {
		return nil, facts, err
	}
	rules, err := s.Tables(s.DB).RuleSettings(ctx, d.TenantID, []string{policyID})
	if err != nil {
		return nil, facts, fmt.Errorf("compliance rules: %w", err)
	}
	all, err := s.Tables(s.DB).DeviceFacts(ctx, d.TenantID, []string{d.ID})
	if err != nil {
		return nil, facts, fmt.Errorf("compliance facts: %w", err)
	}
	return rules[policyID], all[d.ID], nil
}

// PolicyRules returns the compliance rules of the tenant's work policy.
func (s *Service) PolicyRules(ctx context.Context, t mdm.Tenant, policyID string) ([]RuleSetting, error) {
	if _, err := s.DB.Policies().WorkPolicy(ctx, t.ID, policyID); err != nil {
		return nil, fmt.Errorf("work policy %s: %w", policyID, err)
	}
	rules, err := s.Tables(s.DB).RuleSettings(ctx, t.ID, []string{policyID})
	if err != nil {
		return nil, fmt.Errorf("compliance rules of %s: %w", policyID, err)
	}
	return rules[policyID], nil
}

// SetPolicyRules replaces the compliance rules of the tenant's work policy, with its audit
// event, and queues a compliance check that evaluates the devices against them.
func (s *Service) SetPolicyRules(ctx context.Context, actor string, t mdm.Tenant, policyID string, rules []RuleSetting) error {
	if err := ValidateRuleSettings(rules); err != nil {
		return err
	}
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		p, err := tx.Policies().WorkPolicy(ctx, t.ID, policyID)
		if err != nil {
			return fmt.Errorf("work policy %s: %w", policyID, err)
		}
		if slices.ContainsFunc(rules, func(r RuleSetting) bool { return r.Rule == RuleWorkPasscode }) && !p.WorkPasscodeRequired {
			return mdm.Refuse("refusal.compliance.passcode_off", fmt.Errorf("%w: the work passcode rule checks the passcode the policy requires: switch on \"work passcode required\" in the policy first", mdm.ErrInvalid))
		}
		if err := s.Tables(tx).SetRuleSettings(ctx, t.ID, policyID, rules, at); err != nil {
			return err
		}
		summary := make([]map[string]any, len(rules))
		for i, r := range rules {
			summary[i] = map[string]any{"rule": r.Rule, "min_version": r.MinVersion, "days": r.Days,
				"grace_days": r.GraceDays, "consequences": r.Consequences}
		}
		if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.WorkPolicyCompliance, Subject: audit.WorkPolicy.Of(policyID),
			Details: audit.Fields(map[string]any{"rules": summary})}); err != nil {
			return err
		}
		// The devices are checked against the new rules soon, not only at the next hour.
		return tx.EnqueueJob(ctx, Job{}, mdm.JobOptions{Unique: true})
	})
}

// Preview says what a change of rules would do before it is saved.
type Preview struct {
	// Devices counts the policy's active devices; Failing those that would break at
	// least one of the rules; PerRule how many break each rule.
	Devices, Failing int
	PerRule          map[Rule]int
}

// PreviewPolicyRules evaluates rules against the active devices of the tenant's work
// policy as they were last reported, without saving anything.
func (s *Service) PreviewPolicyRules(ctx context.Context, t mdm.Tenant, policyID string, rules []RuleSetting) (Preview, error) {
	p := Preview{PerRule: map[Rule]int{}}
	if err := ValidateRuleSettings(rules); err != nil {
		return p, err
	}
	now := s.Settings.Now()
	err := s.eachPolicyDeviceBatch(ctx, t, policyID, func(ds []mdm.Device) error {
		ids := make([]string, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		facts, err := s.Tables(s.DB).DeviceFacts(ctx, t.ID, ids)
		if err != nil {
			return err
		}
		for _, d := range ds {
			failing := false
			for _, res := range Evaluate(rules, d, s.Core.CapabilitiesOf(d.Platform), facts[d.ID], now) {
				if res.Finding == FindingFailed {
					p.PerRule[res.Rule]++
					failing = true
				}
			}
			p.Devices++
			if failing {
				p.Failing++
			}
		}
		return nil
	})
	if err != nil {
		return p, err
	}
	return p, nil
}
