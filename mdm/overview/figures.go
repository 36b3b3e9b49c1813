package overview

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// Figures are what the overview shows of a tenant's devices.
type Figures struct {
	// Counts are the devices now by platform, state and verdict.
	Counts []mdm.DeviceCount
	// Days are the last Days days, oldest first, today last.
	Days []Day
	// Versions are the active devices by platform and OS version, per platform the most
	// used version first, as the last snapshot counted them at VersionsAt (zero: none yet).
	Versions   []VersionCount
	VersionsAt time.Time
	// InactivityDays is the tenant's inactivity rule (0: off); Inactive counts the active
	// devices without contact for so long.
	InactivityDays int
	Inactive       int64
	// FailedCommands counts the commands that failed in the last FailedSince.
	FailedCommands int64
}

// Day is one day of the charts.
type Day struct {
	Day string // UTC, "2006-01-02"
	// Enrolments counts the devices whose enrolment began that day: today's now, earlier
	// days' as the last snapshot counted them.
	Enrolments int64
	// Compliance is the day's counts of the verdicts; nil when none were taken that day
	// (before the snapshots began, or while the server was down). Today's are the
	// counts of now.
	Compliance *ComplianceDay
}

// Figures gathers the tenant's figures.
func (s *Service) Figures(ctx context.Context, t mdm.Tenant) (Figures, error) {
	var f Figures
	wrap := func(what string, err error) error { return fmt.Errorf("overview of %s: %s: %w", t.Name, what, err) }
	now := s.Settings.Now()
	counts, err := s.Core.DeviceCounts(ctx, t)
	if err != nil {
		return f, err
	}
	f.Counts = counts
	first := firstDay(now)
	tables := s.Tables(s.DB)
	enrolments, err := tables.EnrolmentDays(ctx, t.ID, day(first), day(now.AddDate(0, 0, -1)))
	if err != nil {
		return f, wrap("enrolments", err)
	}
	today, err := tables.EnrolmentsPerDay(ctx, t.ID, now.UTC().Truncate(24*time.Hour))
	if err != nil {
		return f, wrap("enrolments", err)
	}
	enrolments = append(enrolments, today...)
	snapshots, err := tables.ComplianceDays(ctx, t.ID, day(first), day(now))
	if err != nil {
		return f, wrap("compliance history", err)
	}
	f.Days = days(first, enrolments, snapshots, complianceOf(t.ID, day(now), now, counts))
	// The versions are stored with each day's snapshot, in its transaction.
	if n := len(snapshots); n > 0 {
		f.VersionsAt = snapshots[n-1].TakenAt
	}
	if f.Versions, err = tables.OSVersionCounts(ctx, t.ID); err != nil {
		return f, wrap("OS versions", err)
	}
	slices.SortFunc(f.Versions, func(a, b VersionCount) int {
		return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(b.Count, a.Count), cmp.Compare(a.OSVersion, b.OSVersion))
	})
	dp, err := s.rule.TenantDataProtection(ctx, t)
	if err != nil {
		return f, wrap("inactivity rule", err)
	}
	if f.InactivityDays = dp.InactivityDays; f.InactivityDays > 0 {
		if f.Inactive, err = tables.InactiveDevices(ctx, t.ID, now.AddDate(0, 0, -f.InactivityDays)); err != nil {
			return f, wrap("inactive devices", err)
		}
	}
	if f.FailedCommands, err = tables.FailedCommands(ctx, t.ID, now.Add(-FailedSince)); err != nil {
		return f, wrap("failed commands", err)
	}
	return f, nil
}

// firstDay is the first day of the charts that end on the day of now.
func firstDay(now time.Time) time.Time {
	return now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(Days - 1))
}

// days lays the enrolments and snapshots out on the Days days from first, with today's
// counts as the last day's.
func days(first time.Time, enrolments []DayCount, snapshots []ComplianceDay, today ComplianceDay) []Day {
	perDay := make(map[string]int64, len(enrolments))
	for _, e := range enrolments {
		perDay[e.Day] += e.Count
	}
	kept := make(map[string]ComplianceDay, len(snapshots))
	for _, c := range snapshots {
		kept[c.Day] = c
	}
	out := make([]Day, Days)
	for i := range out {
		d := day(first.AddDate(0, 0, i))
		out[i] = Day{Day: d, Enrolments: perDay[d]}
		if c, ok := kept[d]; ok {
			out[i].Compliance = &c
		}
	}
	out[len(out)-1].Compliance = &today
	return out
}

// What needs attention, the kinds of Item.
const (
	NeedsNonCompliant   = "noncompliant"
	NeedsInGrace        = "in_grace"
	NeedsInactive       = "inactive"
	NeedsFailedCommands = "failed_commands"
	// An expiry's kind is its metrics.Expiry kind: metrics.ExpiryAPNs and so on.
)

// ExpiryWarning is how long before its end a certificate or token needs attention.
const ExpiryWarning = 30 * 24 * time.Hour

// Item is one thing that needs attention: how many devices or commands, or when a
// certificate or token ends.
type Item struct {
	Kind  string
	Count int64
	// Days is the inactivity rule's days, for NeedsInactive.
	Days int
	// Ends is when the certificate or token ends (in the past: it has); Expired says so.
	Ends    time.Time
	Expired bool
}

// Attention lists what of the figures needs attention, the gravest first; nothing when
// all is well.
func (f Figures) Attention() []Item {
	var out []Item
	var inGrace, nonCompliant int64
	for _, c := range f.Counts {
		switch c.Compliance {
		case mdm.ComplianceInGrace:
			inGrace += c.Count
		case mdm.ComplianceNonCompliant:
			nonCompliant += c.Count
		}
	}
	add := func(it Item) {
		if it.Count > 0 {
			out = append(out, it)
		}
	}
	add(Item{Kind: NeedsNonCompliant, Count: nonCompliant})
	add(Item{Kind: NeedsInGrace, Count: inGrace})
	add(Item{Kind: NeedsInactive, Count: f.Inactive, Days: f.InactivityDays})
	add(Item{Kind: NeedsFailedCommands, Count: f.FailedCommands})
	return out
}

// Expiring lists the certificates and tokens of expiries that end within ExpiryWarning
// of now, or have ended, soonest first; the CA's root and intermediate are one item, the
// CA's, at the earlier end.
func Expiring(expiries []metrics.Expiry, now time.Time) []Item {
	soonest := map[string]time.Time{}
	for _, e := range expiries {
		kind := e.Kind
		if kind == metrics.ExpiryCARoot || kind == metrics.ExpiryCAIntermediate {
			kind = ExpiryCA
		}
		if at, ok := soonest[kind]; (!ok || e.NotAfter.Before(at)) && e.NotAfter.Sub(now) < ExpiryWarning {
			soonest[kind] = e.NotAfter
		}
	}
	out := make([]Item, 0, len(soonest))
	for kind, at := range soonest {
		out = append(out, Item{Kind: kind, Ends: at, Expired: !at.After(now)})
	}
	slices.SortFunc(out, func(a, b Item) int { return a.Ends.Compare(b.Ends) })
	return out
}

// ExpiryCA is the item of the CA: its root or its intermediate certificate ends.
const ExpiryCA = "ca"
