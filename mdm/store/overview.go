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

// The overview's tables.
const (
	complianceDaysTable  = "compliance_days"
	enrolmentDaysTable   = "enrolment_days"
	osVersionCountsTable = "os_version_counts"
)

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

// SetEnrolmentDays stores the counts of the days, replacing earlier counts of them.
func (v Overview) SetEnrolmentDays(ctx context.Context, tenantID string, days []overview.DayCount) error {
	if len(days) == 0 {
		return nil
	}
	type row struct {
		TenantID   string
		Day        string
		Enrolments int64
	}
	rows := make([]row, len(days))
	for i, d := range days {
		rows[i] = row{tenantID, d.Day, d.Count}
	}
	err := v.s.db.WithContext(ctx).Table(enrolmentDaysTable).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "day"}},
		DoUpdates: clause.AssignmentColumns([]string{"enrolments"}),
	}).Create(&rows).Error
	return translate(err)
}

// EnrolmentDays returns the stored counts of the tenant's days from `from` to `to`.
func (v Overview) EnrolmentDays(ctx context.Context, tenantID, from, to string) ([]overview.DayCount, error) {
	var out []overview.DayCount
	err := v.s.scoped(ctx, tenantID).Table(enrolmentDaysTable).Where("day BETWEEN ? AND ?", from, to).
		Select("day, enrolments AS count").Order("day").Scan(&out).Error
	return out, translate(err)
}

// SetOSVersionCounts replaces the tenant's stored counts of OS versions, in one
// transaction so that a reader sees the old counts or the new ones.
func (v Overview) SetOSVersionCounts(ctx context.Context, tenantID string, vs []overview.VersionCount, at time.Time) error {
	type row struct {
		TenantID  string
		Platform  mdm.Platform
		OSVersion string `gorm:"column:os_version"`
		Devices   int64
		TakenAt   time.Time
	}
	rows := make([]row, 0, len(vs))
	for _, c := range vs {
		if c.Count > 0 {
			rows = append(rows, row{tenantID, c.Platform, c.OSVersion, c.Count, at.UTC()})
		}
	}
	return v.s.transact(ctx, func(tx *Tx) error {
		if err := tx.db.WithContext(ctx).Exec("DELETE FROM "+osVersionCountsTable+" WHERE tenant_id = ?", tenantID).Error; err != nil {
			return translate(err)
		}
		if len(rows) == 0 {
			return nil
		}
		return translate(tx.db.WithContext(ctx).Table(osVersionCountsTable).Create(&rows).Error)
	})
}

// OSVersionCounts returns the tenant's stored counts of OS versions.
func (v Overview) OSVersionCounts(ctx context.Context, tenantID string) ([]overview.VersionCount, error) {
	var out []overview.VersionCount
	err := v.s.scoped(ctx, tenantID).Table(osVersionCountsTable).
		Select("platform, os_version, devices AS count").Scan(&out).Error
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
