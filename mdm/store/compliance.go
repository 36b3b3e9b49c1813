package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// The tables of compliance.
const (
	complianceRulesTable    = "compliance_rules"
	complianceFactsTable    = "compliance_facts"
	complianceFailuresTable = "compliance_failures"
	complianceChangesTable  = "compliance_changes"
)

// ruleRow is a mdm.RuleSetting as stored: the consequences comma-separated.
type ruleRow struct {
	TenantID     string
	WorkPolicyID string
	Rule         mdm.ComplianceRule
	MinVersion   string
	Days         int
	GraceDays    int
	Consequences string
	UpdatedAt    time.Time
}

// factsRow is a device's mdm.ComplianceFacts as stored.
type factsRow struct {
	TenantID        string
	DeviceID        string
	Passcode        mdm.Finding
	Integrity       mdm.Finding
	IntegrityDetail string
	UpdatedAt       time.Time
}

// SetRuleSettings replaces the work policy's rules.
func (s *Store) SetRuleSettings(ctx context.Context, tenantID, workPolicyID string, rules []mdm.RuleSetting, at time.Time) error {
	err := s.scoped(ctx, tenantID).Table(complianceRulesTable).Where("work_policy_id = ?", workPolicyID).Delete(&ruleRow{}).Error
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
	return translate(s.db.WithContext(ctx).Table(complianceRulesTable).Create(&rows).Error)
}

// RuleSettings returns the rules of the work policies (all of the tenant's for nil).
func (s *Store) RuleSettings(ctx context.Context, tenantID string, workPolicyIDs []string) (map[string][]mdm.RuleSetting, error) {
	q := s.scoped(ctx, tenantID).Table(complianceRulesTable)
	if workPolicyIDs != nil {
		if len(workPolicyIDs) == 0 {
			return map[string][]mdm.RuleSetting{}, nil
		}
		q = q.Where("work_policy_id IN ?", workPolicyIDs)
	}
	var rows []ruleRow
	if err := q.Order("work_policy_id, rule").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[string][]mdm.RuleSetting{}
	for _, r := range rows {
		var cs []mdm.Consequence
		for c := range strings.SplitSeq(r.Consequences, ",") {
			if c != "" {
				cs = append(cs, mdm.Consequence(c))
			}
		}
		out[r.WorkPolicyID] = append(out[r.WorkPolicyID], mdm.RuleSetting{TenantID: r.TenantID, WorkPolicyID: r.WorkPolicyID,
			Rule: r.Rule, MinVersion: r.MinVersion, Days: r.Days, GraceDays: r.GraceDays, Consequences: cs, UpdatedAt: r.UpdatedAt})
	}
	return out, nil
}

// FailingPolicies returns the work policies whose devices have failures.
func (s *Store) FailingPolicies(ctx context.Context, tenantID string) ([]string, error) {
	var ids []sql.NullString
	err := s.db.WithContext(ctx).Table(complianceFailuresTable+" f").Distinct("d.work_policy_id").
		Joins("JOIN devices d ON d.tenant_id = f.tenant_id AND d.id = f.device_id").
		Where("f.tenant_id = ?", tenantID).Pluck("d.work_policy_id", &ids).Error
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String) // "" for devices that follow the default
	}
	return out, translate(err)
}

// DeviceFacts returns the stored facts of the devices.
func (s *Store) DeviceFacts(ctx context.Context, tenantID string, deviceIDs []string) (map[string]mdm.ComplianceFacts, error) {
	out := map[string]mdm.ComplianceFacts{}
	if len(deviceIDs) == 0 {
		return out, nil
	}
	var rows []factsRow
	if err := s.scoped(ctx, tenantID).Table(complianceFactsTable).Where("device_id IN ?", deviceIDs).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.DeviceID] = mdm.ComplianceFacts{Passcode: r.Passcode, Integrity: r.Integrity, IntegrityDetail: r.IntegrityDetail}
	}
	return out, nil
}

// SetDeviceFacts stores the devices' facts with one upsert.
func (s *Store) SetDeviceFacts(ctx context.Context, tenantID string, facts map[string]mdm.ComplianceFacts, at time.Time) error {
	if len(facts) == 0 {
		return nil
	}
	rows := make([]factsRow, 0, len(facts))
	for id, f := range facts {
		rows = append(rows, factsRow{TenantID: tenantID, DeviceID: id, Passcode: f.Passcode, Integrity: f.Integrity,
			IntegrityDetail: f.IntegrityDetail, UpdatedAt: at.UTC()})
	}
	err := s.db.WithContext(ctx).Table(complianceFactsTable).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "device_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"passcode", "integrity", "integrity_detail", "updated_at"}),
	}).Create(&rows).Error
	return translate(err)
}

// ComplianceFailures returns the failures of the devices.
func (s *Store) ComplianceFailures(ctx context.Context, tenantID string, deviceIDs []string) ([]mdm.ComplianceFailure, error) {
	if len(deviceIDs) == 0 {
		return nil, nil
	}
	var fs []mdm.ComplianceFailure
	err := s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("device_id IN ?", deviceIDs).Order("device_id, rule").Find(&fs).Error
	return fs, translate(err)
}

// AddComplianceFailures stores new failures.
func (s *Store) AddComplianceFailures(ctx context.Context, tenantID string, fs []mdm.ComplianceFailure) error {
	if len(fs) == 0 {
		return nil
	}
	for i := range fs {
		fs[i].TenantID = tenantID
	}
	return translate(s.db.WithContext(ctx).Table(complianceFailuresTable).Create(&fs).Error)
}

// RemoveComplianceFailure removes the device's failure of the rule.
func (s *Store) RemoveComplianceFailure(ctx context.Context, tenantID, deviceID string, rule mdm.ComplianceRule) error {
	err := s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("device_id = ? AND rule = ?", deviceID, rule).
		Delete(&mdm.ComplianceFailure{}).Error
	return translate(err)
}

// DueComplianceFailures returns failures due at or before `at` and not acted on.
func (s *Store) DueComplianceFailures(ctx context.Context, tenantID string, at time.Time, limit int) ([]mdm.ComplianceFailure, error) {
	var fs []mdm.ComplianceFailure
	err := s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("acted_at IS NULL AND due_at <= ?", at.UTC()).
		Order("due_at, device_id, rule").Limit(limit).Find(&fs).Error
	return fs, translate(err)
}

// SetComplianceActed records the consequences on the failure, once.
func (s *Store) SetComplianceActed(ctx context.Context, tenantID, deviceID string, rule mdm.ComplianceRule, since time.Time, acted string, at time.Time) error {
	return s.markFailure(ctx, tenantID, deviceID, rule, since, "acted_at", map[string]any{"acted_at": at.UTC(), "acted": acted})
}

// SetComplianceNotified records the notice on the failure, once.
func (s *Store) SetComplianceNotified(ctx context.Context, tenantID, deviceID string, rule mdm.ComplianceRule, since time.Time, at time.Time) error {
	return s.markFailure(ctx, tenantID, deviceID, rule, since, "notified_at", map[string]any{"notified_at": at.UTC()})
}

// markFailure sets the columns if column is still empty on the failure that began at
// since; of two concurrent marks, one succeeds and the other sees ErrConflict. A failure
// that ended (or ended and began again) is ErrNotFound.
func (s *Store) markFailure(ctx context.Context, tenantID, deviceID string, rule mdm.ComplianceRule, since time.Time, column string, set map[string]any) error {
	failure := func() *gorm.DB {
		return s.scoped(ctx, tenantID).Table(complianceFailuresTable).Where("device_id = ? AND rule = ? AND since = ?", deviceID, rule, since.UTC())
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

// AddComplianceChanges appends to the history.
func (s *Store) AddComplianceChanges(ctx context.Context, tenantID string, cs []mdm.ComplianceChange) error {
	if len(cs) == 0 {
		return nil
	}
	for i := range cs {
		cs[i].TenantID = tenantID
	}
	return translate(s.db.WithContext(ctx).Table(complianceChangesTable).Create(&cs).Error)
}

// ComplianceHistory returns the device's newest changes first.
func (s *Store) ComplianceHistory(ctx context.Context, tenantID, deviceID string, limit int) ([]mdm.ComplianceChange, error) {
	var cs []mdm.ComplianceChange
	err := s.scoped(ctx, tenantID).Table(complianceChangesTable).Where("device_id = ?", deviceID).
		Order("at DESC, rule").Limit(limit).Find(&cs).Error
	return cs, translate(err)
}
