package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/overview"
)

// Overview is the overview's view of the store: its daily compliance counts, and the
// counts it reads from the devices and commands (migration 00102).
type Overview struct{ s *Store }

// OverviewOf opens the overview's tables on tx, a transaction or the store.
func OverviewOf(tx mdm.Store) Overview { return Overview{s: on(tx)} }

var _ overview.Store = Overview{}

const complianceDaysTable = "compliance_days"

// SetComplianceDay stores the day's counts, replacing those of an earlier run that day.
func (v Overview) SetComplianceDay(ctx context.Context, d overview.ComplianceDay) error {
	d.TakenAt = d.TakenAt.UTC()
	err := v.s.db.WithContext(ctx).Table(complianceDaysTable).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "day"}},
		DoUpdates: clause.AssignmentColumns([]string{"compliant", "in_grace", "noncompliant", "unknown", "taken_at"}),
	}).Create(&d).Error
	return translate(err)
}

// ComplianceDays returns the tenant's days from `from` to `to`, oldest first.
func (v Overview) ComplianceDays(ctx context.Context, tenantID, from, to string) ([]overview.ComplianceDay, error) {
	var out []overview.ComplianceDay
	err := v.s.scoped(ctx, tenantID).Table(complianceDaysTable).Where("day BETWEEN ? AND ?", from, to).
		Order("day").Find(&out).Error
	return out, translate(err)
}

// EnrolmentsPerDay counts the tenant's devices by the UTC day of their creation, from the
// index on (tenant_id, created_at).
func (v Overview) EnrolmentsPerDay(ctx context.Context, tenantID string, since time.Time) ([]overview.DayCount, error) {
	dayOf := "date(created_at)"
	if v.s.postgres {
		dayOf = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	var out []overview.DayCount
	err := v.s.scoped(ctx, tenantID).Table("devices").Where("created_at >= ?", since.UTC()).
		Select(dayOf + " AS day, COUNT(*) AS count").Group(dayOf).Scan(&out).Error
	return out, translate(err)
}

// OSVersions counts the tenant's active devices by platform and OS version, from the
// index devices_os_versions alone.
func (v Overview) OSVersions(ctx context.Context, tenantID string) ([]overview.VersionCount, error) {
	var out []overview.VersionCount
	err := v.s.scoped(ctx, tenantID).Table("devices").Where("state = ?", mdm.DeviceActive).
		Select("platform, os_version, COUNT(*) AS count").Group("platform, os_version").Scan(&out).Error
	return out, translate(err)
}

// InactiveDevices counts the active devices without contact since before, with the
// inactivity rule's expression (store.DataProtection.InactiveDevices) and its index.
func (v Overview) InactiveDevices(ctx context.Context, tenantID string, before time.Time) (int64, error) {
	var n int64
	err := v.s.scoped(ctx, tenantID).Table("devices").
		Where("state = ? AND COALESCE(last_contact_at, created_at) < ?", mdm.DeviceActive, before.UTC()).Count(&n).Error
	return n, translate(err)
}

// FailedCommands counts the commands that ended in an error since `since`, from the
// partial index commands_failed.
func (v Overview) FailedCommands(ctx context.Context, tenantID string, since time.Time) (int64, error) {
	var n int64
	err := v.s.scoped(ctx, tenantID).Table("commands").
		Where("state = ? AND finished_at >= ?", mdm.CommandError, since.UTC()).Count(&n).Error
	return n, translate(err)
}
