package compliance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Report is what a platform learned about a device in one report: the device as
// recorded after the report (OS version, patch level, last contact) and the facts the
// report carried.
type Report struct {
	Device mdm.Device
	Facts  Facts
}

// MailJob asks for the e-mail that tells an employee that a device breaks a rule
// and what to do by when.
type MailJob struct {
	TenantID string    `json:"tenant_id"`
	DeviceID string    `json:"device_id"`
	Rule     Rule      `json:"rule"`
	Since    time.Time `json:"since"`
}

// Kind names the job for the queue.
func (MailJob) Kind() string { return "compliance_mail" }

// CheckDevice is Check for one report in its own transaction, for a
// platform that learned the facts outside a status batch (an iPhone's check-in).
func (s *Service) CheckDevice(ctx context.Context, tenantID, deviceID string, facts Facts) error {
	return s.ReportDevice(ctx, tenantID, deviceID, nil, facts)
}

// Check evaluates the reports against their devices' work-policy rules in the
// caller's transaction tx: a rule newly broken becomes a failure (the employee's e-mail is
// queued when the rule says notify), a rule met again ends its failure, and every change
// goes to the history and the audit trail. Then it settles each device's one verdict
// (VerdictOf). Reports that change nothing write nothing, so that frequent reports stay
// cheap. The rules are checked on active devices only; a removed device is left as it is.
func (s *Service) Check(ctx context.Context, tx mdm.Store, at time.Time, reports []Report) error {
	return s.check(ctx, tx, at, reports, nil)
}

// check is Check; with verdicts not nil, it audits the changed verdicts and leaves them
// there, by tenant and device, for the caller to write with the devices' status.
func (s *Service) check(ctx context.Context, tx mdm.Store, at time.Time, reports []Report, verdicts map[string]map[string]mdm.Verdict) error {
	byTenant := map[string][]Report{}
	for _, r := range reports {
		if r.Device.State == mdm.DeviceRemoved {
			continue // a removal ends every rule and the verdict
		}
		byTenant[r.Device.TenantID] = append(byTenant[r.Device.TenantID], r)
	}
	for _, tenantID := range slices.Sorted(maps.Keys(byTenant)) {
		if err := s.checkTenant(ctx, tx, at, tenantID, byTenant[tenantID], verdicts); err != nil {
			return fmt.Errorf("compliance of %d devices: %w", len(byTenant[tenantID]), err)
		}
	}
	return nil
}

// failureKey names a failure: device and rule.
type failureKey struct {
	device string
	rule   Rule
}

// batch is what one tenant's check reads once and writes once, in its tables tb.
type batch struct {
	tb       Store
	rules    map[string][]RuleSetting // by work policy
	facts    map[string]Facts
	failures map[failureKey]Failure
	newFacts map[string]Facts
	results  map[string][]RuleResult // by device, of the last report
	added    []Failure
	notify   []MailJob // for failures whose rule says notify
	changes  []Change
}

func (s *Service) checkTenant(ctx context.Context, tx mdm.Store, at time.Time, tenantID string, reports []Report, verdicts map[string]map[string]mdm.Verdict) error {
	b, err := loadBatch(ctx, tx, s.Tables(tx), tenantID, reports)
	if err != nil {
		return err
	}
	for _, r := range reports {
		if r.Device.State != mdm.DeviceActive {
			continue // the rules apply once enrolled
		}
		if err := b.check(ctx, tx, at, r, s.Core.CapabilitiesOf(r.Device.Platform)); err != nil {
			return err
		}
	}
	if err := b.settle(ctx, tx, at, tenantID, reports, verdicts); err != nil {
		return err
	}
	if len(b.newFacts) > 0 {
		if err := b.tb.SetDeviceFacts(ctx, tenantID, b.newFacts, at); err != nil {
			return err
		}
	}
	if len(b.added) > 0 {
		if err := b.tb.AddFailures(ctx, tenantID, b.added); err != nil {
			return err
		}
		for _, job := range b.notify {
			if !s.Settings.MailNotices {
				break
			}
			if slices.ContainsFunc(b.added, func(f Failure) bool { return f.DeviceID == job.DeviceID && f.Rule == job.Rule }) {
				if err := tx.EnqueueJob(ctx, job, mdm.JobOptions{Unique: true}); err != nil {
					return err
				}
			}
		}
	}
	if len(b.changes) > 0 {
		return b.tb.AddChanges(ctx, tenantID, b.changes)
	}
	return nil
}

func loadBatch(ctx context.Context, tx mdm.Store, tb Store, tenantID string, reports []Report) (*batch, error) {
	b := &batch{tb: tb, newFacts: map[string]Facts{}, failures: map[failureKey]Failure{},
		results: map[string][]RuleResult{}}
	ids := make([]string, 0, len(reports))
	policies := map[string]bool{}
	defaultPolicy, looked := "", false // read once per batch, for the devices without a policy
	for i, r := range reports {
		ids = append(ids, r.Device.ID)
		if r.Device.WorkPolicyID == nil && !looked {
			var err error
			if defaultPolicy, err = policyOf(ctx, tx, r.Device); err != nil {
				return nil, err
			}
			looked = true
		}
		if r.Device.WorkPolicyID == nil && defaultPolicy != "" {
			reports[i].Device.WorkPolicyID = &defaultPolicy
		}
		if id := reports[i].Device.WorkPolicyID; id != nil {
			policies[*id] = true
		}
	}
	var err error
	if b.rules, err = tb.RuleSettings(ctx, tenantID, slices.Sorted(maps.Keys(policies))); err != nil {
		return nil, fmt.Errorf("compliance rules: %w", err)
	}
	if b.facts, err = tb.DeviceFacts(ctx, tenantID, ids); err != nil {
		return nil, fmt.Errorf("compliance facts: %w", err)
	}
	open, err := tb.Failures(ctx, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("compliance failures: %w", err)
	}
	for _, f := range open {
		b.failures[failureKey{f.DeviceID, f.Rule}] = f
	}
	return b, nil
}

// check takes one report into the batch; can is what the device's platform can report.
func (b *batch) check(ctx context.Context, tx mdm.Store, at time.Time, r Report, can mdm.Capability) error {
	d := r.Device
	stored, known := b.facts[d.ID]
	if !known {
		stored = Facts{}.normalize()
	}
	facts := stored.merge(r.Facts)
	if !known || facts != stored {
		b.facts[d.ID], b.newFacts[d.ID] = facts, facts
	}
	var rules []RuleSetting
	if d.WorkPolicyID != nil {
		rules = b.rules[*d.WorkPolicyID]
	}
	set := map[Rule]bool{}
	b.results[d.ID] = Evaluate(rules, d, can, facts, at)
	for _, res := range b.results[d.ID] {
		set[res.Rule] = true
		key := failureKey{d.ID, res.Rule}
		_, open := b.failures[key]
		switch {
		case res.Finding == FindingFailed && !open:
			if err := b.fail(ctx, tx, at, d, ruleOf(rules, res.Rule), res); err != nil {
				return err
			}
		case res.Finding == FindingMet && open:
			if err := b.clear(ctx, tx, at, d, res.Rule, res.Reason); err != nil {
				return err
			}
		}
	}
	for key := range b.failures {
		if key.device == d.ID && !set[key.rule] {
			if err := b.clear(ctx, tx, at, d, key.rule, "the rule no longer applies to the device"); err != nil {
				return err
			}
		}
	}
	return nil
}

// settle records the verdict on each reported device (the last report of a device counts)
// from its platform's report and the rules it breaks now; with verdicts not nil it only
// audits the changes and leaves them there for the caller to write.
func (b *batch) settle(ctx context.Context, tx mdm.Store, at time.Time, tenantID string, reports []Report, verdicts map[string]map[string]mdm.Verdict) error {
	last := map[string]int{}
	for i, r := range reports {
		last[r.Device.ID] = i
	}
	failures := map[string][]Failure{}
	for key, f := range b.failures {
		failures[key.device] = append(failures[key.device], f)
	}
	ds := make([]mdm.Device, 0, len(last))
	settled := make([]mdm.Verdict, 0, len(last))
	for i, r := range reports {
		if last[r.Device.ID] == i {
			ds = append(ds, r.Device)
			settled = append(settled, VerdictOf(r.Device, b.results[r.Device.ID], failures[r.Device.ID], at))
		}
	}
	if verdicts == nil {
		return mdm.SettleVerdicts(ctx, tx, at, tenantID, ds, settled)
	}
	changed, err := mdm.AuditVerdicts(ctx, tx, at, tenantID, ds, settled)
	if len(changed) > 0 {
		verdicts[tenantID] = changed
	}
	return err
}

func ruleOf(rules []RuleSetting, rule Rule) RuleSetting {
	for _, r := range rules {
		if r.Rule == rule {
			return r
		}
	}
	return RuleSetting{Rule: rule}
}

// fail opens a failure of the rule on d.
func (b *batch) fail(ctx context.Context, tx mdm.Store, at time.Time, d mdm.Device, r RuleSetting, res RuleResult) error {
	f := Failure{TenantID: d.TenantID, DeviceID: d.ID, Rule: res.Rule, Since: at,
		DueAt: at.AddDate(0, 0, r.GraceDays), Reason: res.Reason, Remedy: res.Remedy}
	b.failures[failureKey{d.ID, res.Rule}] = f
	b.added = append(b.added, f)
	if r.Has(ConsequenceNotify) {
		b.notify = append(b.notify, MailJob{TenantID: d.TenantID, DeviceID: d.ID, Rule: res.Rule, Since: at})
	}
	b.changes = append(b.changes, Change{DeviceID: d.ID, Rule: res.Rule, At: at, Finding: FindingFailed, Reason: res.Reason})
	_, err := tx.AppendAudit(ctx, d.TenantID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceComplianceRule, Subject: audit.Device.Of(d.ID),
		Details: audit.Fields(map[string]any{"rule": res.Rule, "finding": FindingFailed, "reason": res.Reason,
			"due": f.DueAt, "consequences": r.Consequences})})
	return err
}

// clear ends the failure of the rule on d: the device meets it again. Consequences that
// withheld work access end with it: the conditional-access endpoint accepts the device
// again, and an Android work profile may fetch a new certificate.
func (b *batch) clear(ctx context.Context, tx mdm.Store, at time.Time, d mdm.Device, rule Rule, reason string) error {
	key := failureKey{d.ID, rule}
	f := b.failures[key]
	delete(b.failures, key)
	if i := slices.IndexFunc(b.added, func(a Failure) bool { return a.DeviceID == d.ID && a.Rule == rule }); i >= 0 {
		b.added = slices.Delete(b.added, i, i+1) // opened and closed within this batch
	} else if err := b.tb.RemoveFailure(ctx, d.TenantID, d.ID, rule); err != nil {
		return err
	}
	b.changes = append(b.changes, Change{DeviceID: d.ID, Rule: rule, At: at, Finding: FindingMet, Reason: reason})
	details := map[string]any{"rule": rule, "finding": FindingMet, "reason": reason, "since": f.Since}
	if f.Acted != "" {
		details["restored"] = f.Acted
	}
	_, err := tx.AppendAudit(ctx, d.TenantID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceComplianceRule, Subject: audit.Device.Of(d.ID),
		Details: audit.Fields(details)})
	return err
}
