// Package overview gathers the figures of a tenant's overview page: enrolments and
// compliance over the last days, the OS versions of its devices, and what needs the
// attention of its IT (devices in grace, non-compliant or inactive beyond the tenant's
// rule, commands that failed lately, certificates and tokens that expire soon).
//
// It reads the facts where their owners keep them — the verdicts with the devices
// (compliance), the enrolments' times with the devices, the inactivity rule in the
// tenant's data-protection settings. A periodic job (SnapshotJob) keeps what would cost a
// step through every device on each load: the counts of the verdicts on each day
// (compliance_days; the verdicts themselves have no history), the enrolments of each of
// the last days (enrolment_days) and the OS versions of the active devices
// (os_version_counts). The figures are counts only; no device or person is named in them.
package overview

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// Days is how many days the charts cover, today included.
const Days = 90

// FailedSince is how far back failed commands are counted.
const FailedSince = 7 * 24 * time.Hour

// ComplianceDay is how many of a tenant's devices had each verdict on a day. Removed
// devices have no verdict and are not counted.
type ComplianceDay struct {
	TenantID     string
	Day          string // UTC, "2006-01-02"
	Compliant    int64
	InGrace      int64
	NonCompliant int64 `gorm:"column:noncompliant"`
	Unknown      int64
	TakenAt      time.Time
}

// Total is the number of devices counted on the day.
func (c ComplianceDay) Total() int64 { return c.Compliant + c.InGrace + c.NonCompliant + c.Unknown }

// DayCount is a count on one day (UTC, "2006-01-02").
type DayCount struct {
	Day   string
	Count int64
}

// VersionCount is how many of a tenant's active devices of a platform run an OS version
// as the platform reported it ("17.4.1", "15"; empty when not reported yet).
type VersionCount struct {
	Platform  mdm.Platform
	OSVersion string
	Count     int64
}

// Store is what the overview reads and keeps.
type Store interface {
	// SetComplianceDay stores the day's counts of the tenant, replacing those of an
	// earlier run on the same day.
	SetComplianceDay(ctx context.Context, d ComplianceDay) error
	// ComplianceDays returns the tenant's days from `from` to `to` (both included), oldest
	// first; a day without a snapshot is left out.
	ComplianceDays(ctx context.Context, tenantID, from, to string) ([]ComplianceDay, error)
	// EnrolmentsPerDay counts the tenant's devices by the UTC day they were created (the
	// employee began the enrolment), from `since` on; days without one are left out.
	EnrolmentsPerDay(ctx context.Context, tenantID string, since time.Time) ([]DayCount, error)
	// SetEnrolmentDays stores the counts of the days, replacing earlier counts of them.
	SetEnrolmentDays(ctx context.Context, tenantID string, days []DayCount) error
	// EnrolmentDays returns the stored counts of the tenant's days from `from` to `to`.
	EnrolmentDays(ctx context.Context, tenantID, from, to string) ([]DayCount, error)
	// OSVersions counts the tenant's active devices by platform and OS version.
	OSVersions(ctx context.Context, tenantID string) ([]VersionCount, error)
	// SetOSVersionCounts replaces the tenant's stored counts of OS versions by vs.
	SetOSVersionCounts(ctx context.Context, tenantID string, vs []VersionCount, at time.Time) error
	// OSVersionCounts returns the tenant's stored counts of OS versions.
	OSVersionCounts(ctx context.Context, tenantID string) ([]VersionCount, error)
	// InactiveDevices counts the tenant's active devices without contact since `before`
	// (a device never heard from counts from its creation), as the inactivity rule does.
	InactiveDevices(ctx context.Context, tenantID string, before time.Time) (int64, error)
	// FailedCommands counts the tenant's commands that ended in an error since `since`.
	FailedCommands(ctx context.Context, tenantID string, since time.Time) (int64, error)
}

// InactivityRule reads a tenant's inactivity rule, which its data-protection settings
// own.
type InactivityRule interface {
	TenantDataProtection(ctx context.Context, t mdm.Tenant) (dataprotection.DataProtection, error)
}

// Service gathers the overview's figures and takes the daily snapshot.
type Service struct {
	mdm.Domain[Store]
	rule InactivityRule
}

// New returns the overview on the core's store db, reaching its own table in a store (or
// transaction) through tables; rule gives each tenant's inactivity rule.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store, rule InactivityRule) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables), rule: rule}
}

// day is the UTC day of t as stored.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
