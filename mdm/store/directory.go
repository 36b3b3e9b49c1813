package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// Directory is the directory's view of the store: each tenant's settings, rules and
// people, and the employees and devices it reads to plan its changes.
type Directory struct{ s *Store }

// DirectoryOf opens the directory's tables on tx, a transaction or the store.
func DirectoryOf(tx mdm.Store) Directory { return Directory{s: on(tx)} }

var _ directory.Store = Directory{}

// The tables of the directory; their rows are the sub-domain's types.
const (
	directoryConfigsTable = "directory_configs"
	directoryRulesTable   = "directory_rules"
	directoryPeopleTable  = "directory_people"
)

// Config returns the tenant's directory settings.
func (v Directory) Config(ctx context.Context, tenantID string) (directory.Config, error) {
	return first[directory.Config](v.s.scoped(ctx, tenantID).Table(directoryConfigsTable))
}

// SaveConfig creates or replaces the tenant's settings.
func (v Directory) SaveConfig(ctx context.Context, c *directory.Config) error {
	return translate(v.s.db.WithContext(ctx).Table(directoryConfigsTable).
		Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}}, UpdateAll: true}).Create(c).Error)
}

// SetSyncResult records how the tenant's last sync went.
func (v Directory) SetSyncResult(ctx context.Context, tenantID string, at time.Time, result, errText string) error {
	return translate(v.s.scoped(ctx, tenantID).Table(directoryConfigsTable).
		Updates(map[string]any{"last_sync_at": at.UTC(), "last_sync_result": result, "last_sync_error": errText}).Error)
}

// Configs returns every tenant's settings.
func (v Directory) Configs(ctx context.Context) ([]directory.Config, error) {
	var out []directory.Config
	err := v.s.db.WithContext(ctx).Table(directoryConfigsTable).Order("tenant_id").Find(&out).Error
	return out, translate(err)
}

// Rules returns the tenant's rules by priority.
func (v Directory) Rules(ctx context.Context, tenantID string) ([]directory.Rule, error) {
	var out []directory.Rule
	err := v.s.scoped(ctx, tenantID).Table(directoryRulesTable).Order("priority").Find(&out).Error
	return out, translate(err)
}

// ReplaceRules replaces the tenant's rules.
func (v Directory) ReplaceRules(ctx context.Context, tenantID string, rs []directory.Rule) error {
	if err := v.s.scoped(ctx, tenantID).Table(directoryRulesTable).Delete(&directory.Rule{}).Error; err != nil {
		return translate(err)
	}
	if len(rs) == 0 {
		return nil
	}
	return translate(v.s.db.WithContext(ctx).Table(directoryRulesTable).Create(&rs).Error)
}

// People returns the tenant's people of the source, or of every source when it is empty.
func (v Directory) People(ctx context.Context, tenantID, source string) ([]directory.Person, error) {
	q := v.s.scoped(ctx, tenantID).Table(directoryPeopleTable)
	if source != "" {
		q = q.Where("source = ?", source)
	}
	var out []directory.Person
	return out, translate(q.Order("external_id").Find(&out).Error)
}

// Person returns one of the tenant's people.
func (v Directory) Person(ctx context.Context, tenantID, externalID string) (directory.Person, error) {
	return first[directory.Person](v.s.scoped(ctx, tenantID).Table(directoryPeopleTable).Where("external_id = ?", externalID))
}

// PersonOf returns the person who became the employee.
func (v Directory) PersonOf(ctx context.Context, tenantID, employeeID string) (directory.Person, error) {
	return first[directory.Person](v.s.scoped(ctx, tenantID).Table(directoryPeopleTable).Where("employee_id = ?", employeeID).Order("external_id"))
}

// SavePerson creates or replaces a person.
func (v Directory) SavePerson(ctx context.Context, p *directory.Person) error {
	return translate(v.s.db.WithContext(ctx).Table(directoryPeopleTable).
		Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "external_id"}}, UpdateAll: true}).Create(p).Error)
}

// DeletePerson forgets a person.
func (v Directory) DeletePerson(ctx context.Context, tenantID, externalID string) error {
	return affectedOne(v.s.scoped(ctx, tenantID).Table(directoryPeopleTable).Where("external_id = ?", externalID).Delete(&directory.Person{}))
}

// MarkRemoved sets removed_at of a leaver who has not come back and is not done yet.
func (v Directory) MarkRemoved(ctx context.Context, tenantID, externalID string, at time.Time) error {
	return v.markOnce(ctx, tenantID, externalID, "removed_at", at)
}

// MarkMailed sets mailed_at of a leaver who has not come back and was not mailed yet.
func (v Directory) MarkMailed(ctx context.Context, tenantID, externalID string, at time.Time) error {
	return v.markOnce(ctx, tenantID, externalID, "mailed_at", at)
}

// markOnce sets the column of a leaver once: ErrConflict when it is set already or the
// person is no longer a leaver.
func (v Directory) markOnce(ctx context.Context, tenantID, externalID, column string, at time.Time) error {
	res := v.s.scoped(ctx, tenantID).Table(directoryPeopleTable).
		Where("external_id = ? AND left_at IS NOT NULL AND "+column+" IS NULL", externalID).
		Updates(map[string]any{column: at.UTC()})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return mdm.ErrConflict
	}
	return nil
}

// DueLeavers returns leavers who left before `before` and are not done, oldest first,
// locked for the transaction on PostgreSQL.
func (v Directory) DueLeavers(ctx context.Context, tenantID string, before time.Time, limit int) ([]directory.Person, error) {
	var out []directory.Person
	err := v.s.scoped(ctx, tenantID).Table(directoryPeopleTable).
		Where("left_at IS NOT NULL AND left_at <= ? AND removed_at IS NULL", before.UTC()).
		Order("left_at").Limit(limit).Find(&out).Error
	return out, translate(err)
}

// EmployeeIDs returns the tenant's employees' IDs by e-mail address.
func (v Directory) EmployeeIDs(ctx context.Context, tenantID string) (map[string]string, error) {
	var rows []struct{ ID, Email string }
	if err := v.s.scoped(ctx, tenantID).Table("employees").Select("id, email").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Email] = r.ID
	}
	return out, nil
}

// Devices returns the tenant's devices that are not removed, with what the directory's
// plan needs of them.
func (v Directory) Devices(ctx context.Context, tenantID string) ([]directory.Device, error) {
	var out []directory.Device
	err := v.s.scoped(ctx, tenantID).Table("devices").
		Select("id, employee_id, COALESCE(work_policy_id, '') AS work_policy_id, state").
		Where("state <> ?", mdm.DeviceRemoved).Order("id").Find(&out).Error
	return out, translate(err)
}
