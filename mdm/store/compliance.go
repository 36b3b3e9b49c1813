package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// Compliance is the compliance sub-domain's view of the store: the rules of work policies,
// the facts platforms reported, the failures with their history, and the status columns
// of devices that status reports write.
type Compliance struct{ s *Store }

// ComplianceOf returns the compliance tables as tx (a store or a transaction) sees them.
func ComplianceOf(tx mdm.Store) Compliance { return Compliance{s: on(tx)} }

// The tables of compliance.
const (
	complianceRulesTable    = "compliance_rules"
	complianceFactsTable    = "compliance_facts"
	complianceFailuresTable = "compliance_failures"
	complianceChangesTable  = "compliance_changes"
)

// ruleRow is a compliance.RuleSetting as stored: the consequences comma-separated.
type ruleRow struct {
	TenantID     string
	WorkPolicyID string
	Rule         compliance.Rule
	MinVersion   string
	Days         int
	GraceDays    int
	Consequences string
	UpdatedAt    time.Time
}

// factsRow is a device's compliance.Facts as stored.
type factsRow struct {
	TenantID        string
	DeviceID        string
	Passcode        compliance.Finding
	Integrity       compliance.Finding
	IntegrityDetail string
	UpdatedAt       time.Time
}

// SetRuleSettings replaces the work policy's rules.
func (c Compliance) SetRuleSettings(ctx context.Context, tenantID, workPolicyID string, rules []compliance.RuleSetting, at time.Time) error {
	err := c.s.scoped(ctx, tenantID).Table(complianceRulesTable).Where("work_policy_id = ?", workPolicyID).Delete(&ruleRow{}).Error
	if err != nil || len(rules) == 0 {
		return translate(err)
	}
	rows := make([]ruleRow, len(rules))
	for i, r := range rules {
		names := make([]string, len(r.Consequences))
		for j, c := range r.Consequences {
			names[j] = string(c)
		}
		rows[i] = ruleRow{TenantID: tenantID, WorkPolicyID: workPolicyID, Rule: r.Rule, MinVersion: r.MinVersion, Days: r.Days,
			GraceDays: r.GraceDays, Consequences: strings.Join(names, ","), UpdatedAt: at.UTC()}
	}
	return translate(c.s.db.WithContext(ctx).Table(complianceRulesTable).Create(&rows).Error)
}

// RuleSettings returns the rules of the work policies (all of the tenant's for nil).
func (c Compliance) RuleSettings(ctx context.Context, tenantID string, workPolicyIDs []string) (map[string][]compliance.RuleSetting, error) {
	q := c.s.scoped(ctx, tenantID).Table(complianceRulesTable)
	if workPolicyIDs != nil {
		if len(workPolicyIDs) == 0 {
			return map[string][]compliance.RuleSetting{}, nil
		}
		q = q.Where("work_policy_id IN ?", workPolicyIDs)
	}
	var rows []ruleRow
	if err := q.Order("work_policy_id, rule").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[string][]compliance.RuleSetting{}
	for _, r := range rows {
		var cs []compliance.Consequence
		for c := range strings.SplitSeq(r.Consequences, ",") {
			if c != "" {
				cs = append(cs, compliance.Consequence(c))
			}
		}
		out[r.WorkPolicyID] = append(out[r.WorkPolicyID], compliance.RuleSetting{TenantID: r.TenantID, WorkPolicyID: r.WorkPolicyID,
			Rule: r.Rule, MinVersion: r.MinVersion, Days: r.Days, GraceDays: r.GraceDays, Consequences: cs, UpdatedAt: r.UpdatedAt})
	}
	return out, nil
}

// FailingPolicies returns the work policies whose devices have failures.
func (c Compliance) FailingPolicies(ctx context.Context, tenantID string) ([]string, error) {
	var ids []sql.NullString
	err := c.s.db.WithContext(ctx).Table(complianceFailuresTable+" f").Distinct("d.work_policy_id").
		Joins("JOIN devices d ON d.tenant_id = f.tenant_id AND d.id = f.device_id").
		Where("f.tenant_id = ?", tenantID).Pluck("d.work_policy_id", &ids).Error
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String) // "" for devices that follow the default
	}
	return out, translate(err)
}

// DeviceFacts returns the stored facts of the devices.
func (c Compliance) DeviceFacts(ctx context.Context, tenantID string, deviceIDs []string) (map[string]compliance.Facts, error) {
	out := map[string]compliance.Facts{}
	if len(deviceIDs) == 0 {
		return out, nil
	}
	var rows []factsRow
	if err := c.s.scoped(ctx, tenantID).Table(complianceFactsTable).Where("device_id IN ?", deviceIDs).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.DeviceID] = compliance.Facts{Passcode: r.Passcode, Integrity: r.Integrity, IntegrityDetail: r.IntegrityDetail}
	}
	return out, nil
}

// SetDeviceFacts stores the devices' facts with one upsert.
func (c Compliance) SetDeviceFacts(ctx context.Context, tenantID string, facts map[string]compliance.Facts, at time.Time) error {
	if len(facts) == 0 {
		return nil
	}
	rows := make([]factsRow, 0, len(facts))
	for id, f := range facts {
		rows = append(rows, factsRow{TenantID: tenantID, DeviceID: id, Passcode: f.Passcode, Integrity: f.Integrity,
			IntegrityDetail: f.IntegrityDetail, UpdatedAt: at.UTC()})
	}
	err := c.s.db.WithContext(ctx).Table(complianceFactsTable).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "device_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"passcode", "integrity", "integrity_detail", "updated_at"}),
	}).Create(&rows).Error
	return translate(err)
}

// Failures returns the failures of the devices.
func (c Compliance) Failures(ctx context.Context, tenantID string, deviceIDs []string) ([]compliance.Failure, error) {
	if len(deviceIDs) == 0 {
		return nil, nil
	}
	var fs []compliance.Failure
	err := c.s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("device_id IN ?", deviceIDs).Order("device_id, rule").Find(&fs).Error
	return fs, translate(err)
}

// AddFailures stores new failures.
func (c Compliance) AddFailures(ctx context.Context, tenantID string, fs []compliance.Failure) error {
	if len(fs) == 0 {
		return nil
	}
	for i := range fs {
		fs[i].TenantID = tenantID
	}
	return translate(c.s.db.WithContext(ctx).Table(complianceFailuresTable).Create(&fs).Error)
}

// RemoveFailure removes the device's failure of the rule.
func (c Compliance) RemoveFailure(ctx context.Context, tenantID, deviceID string, rule compliance.Rule) error {
	err := c.s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("device_id = ? AND rule = ?", deviceID, rule).
		Delete(&compliance.Failure{}).Error
	return translate(err)
}

// DueFailures returns failures due at or before `at` and not acted on.
func (c Compliance) DueFailures(ctx context.Context, tenantID string, at time.Time, limit int) ([]compliance.Failure, error) {
	var fs []compliance.Failure
	err := c.s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("acted_at IS NULL AND due_at <= ?", at.UTC()).
		Order("due_at, device_id, rule").Limit(limit).Find(&fs).Error
	return fs, translate(err)
}

// SetActed records the consequences on the failure, once.
func (c Compliance) SetActed(ctx context.Context, tenantID, deviceID string, rule compliance.Rule, since time.Time, acted string, at time.Time) error {
	return c.markFailure(ctx, tenantID, deviceID, rule, since, "acted_at", map[string]any{"acted_at": at.UTC(), "acted": acted})
}

// SetNotified records the notice on the failure, once.
func (c Compliance) SetNotified(ctx context.Context, tenantID, deviceID string, rule compliance.Rule, since time.Time, at time.Time) error {
	return c.markFailure(ctx, tenantID, deviceID, rule, since, "notified_at", map[string]any{"notified_at": at.UTC()})
}

// markFailure sets the columns if column is still empty on the failure that began at
// since; of two concurrent marks, one succeeds and the other sees ErrConflict. A failure
// that ended (or ended and began again) is ErrNotFound.
func (c Compliance) markFailure(ctx context.Context, tenantID, deviceID string, rule compliance.Rule, since time.Time, column string, set map[string]any) error {
	failure := func() *gorm.DB {
		return c.s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("device_id = ? AND rule = ? AND since = ?", deviceID, rule, since.UTC())
	}
	res := failure().Where(column + " IS NULL").Updates(set)
	if err := translate(res.Error); err != nil || res.RowsAffected == 1 {
		return err
	}
	var n int64
	if err := failure().Count(&n).Error; err != nil {
		return translate(err)
	}
	if n == 0 {
		return mdm.ErrNotFound
	}
	return mdm.ErrConflict
}

// AddChanges appends to the history.
func (c Compliance) AddChanges(ctx context.Context, tenantID string, cs []compliance.Change) error {
	if len(cs) == 0 {
		return nil
	}
	for i := range cs {
		cs[i].TenantID = tenantID
	}
	return translate(c.s.db.WithContext(ctx).Table(complianceChangesTable).Create(&cs).Error)
}

// History returns the device's newest changes first.
func (c Compliance) History(ctx context.Context, tenantID, deviceID string, limit int) ([]compliance.Change, error) {
	var cs []compliance.Change
	err := c.s.scoped(ctx, tenantID).Table(complianceChangesTable).Where("device_id = ?", deviceID).
		Order("at DESC, rule").Limit(limit).Find(&cs).Error
	return cs, translate(err)
}
