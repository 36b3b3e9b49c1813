package mdm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// WorkAppState is where a work app stands on a device, as its platform last reported it.
type WorkAppState string

// The states of a work app on a device.
const (
	// AppNotReported: the device's policy has the app; its platform has reported nothing
	// of it yet (or reports no apps at all).
	AppNotReported WorkAppState = "not_reported"
	AppPending     WorkAppState = "pending" // ordered, not yet confirmed installed
	AppInstalled   WorkAppState = "installed"
	AppFailed      WorkAppState = "failed"
	AppRemoving    WorkAppState = "removing"
)

// WorkApp is a work app as a platform reports it for a device: the app's identifier (an
// Android package name or iOS bundle identifier), its version where the platform tells
// it, its state, and why it failed.
type WorkApp struct {
	AppID   string
	Version string
	State   WorkAppState
	Problem string
}

// WorkAppReader is a platform's part of showing a device's work apps: what it keeps of
// the apps it put into the device's work container, read inside tx. A platform that keeps
// nothing of them registers none.
type WorkAppReader interface {
	WorkApps(ctx context.Context, tx Store, tenantID string, d Device) ([]WorkApp, error)
}

// WorkAppsOf is what the device page shows of the device's work apps: one row for each app
// that the work policy p puts on devices of the device's platform, with what the platform
// reported of it. It is driven by the policy alone, so an app the platform might report
// that is not a work app of the policy — a private app, whatever the reason it was
// reported — is never shown (DESIGN: the employer sees work apps only).
func WorkAppsOf(d Device, p WorkPolicy, reported []WorkApp) []WorkApp {
	byID := make(map[string]WorkApp, len(reported))
	for _, r := range reported {
		byID[r.AppID] = r
	}
	var out []WorkApp
	for _, a := range p.Apps {
		if a.Platform != d.Platform {
			continue
		}
		if r, ok := byID[a.AppID]; ok {
			out = append(out, r)
			continue
		}
		out = append(out, WorkApp{AppID: a.AppID, State: AppNotReported})
	}
	return out
}

// ReportedWorkApps returns what the device's platform keeps of the work apps it put on the
// device; none when the platform keeps nothing of them. DeviceWorkApps shows them.
func (s *Service) ReportedWorkApps(ctx context.Context, t Tenant, d Device) ([]WorkApp, error) {
	var out []WorkApp
	err := s.atomic(ctx, func(tx Store, _ time.Time) error {
		var err error
		out, err = s.reportedWorkApps(ctx, tx, t.ID, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("work apps of device %s: %w", d.ID, err)
	}
	return out, nil
}

// reportedWorkApps is ReportedWorkApps inside tx.
func (s *Service) reportedWorkApps(ctx context.Context, tx Store, tenantID string, d Device) ([]WorkApp, error) {
	i := s.platformIndex(d.Platform)
	if i < 0 || s.platforms[i].WorkApps == nil {
		return nil, nil
	}
	return s.platforms[i].WorkApps.WorkApps(ctx, tx, tenantID, d)
}

// DeviceWorkApps is what the device page and the API's device view show of the tenant's
// device's work apps: each app of its work policy for its platform with what the platform
// reported of it (WorkAppsOf), read in one transaction; none for a device without a
// policy or removed.
func (s *Service) DeviceWorkApps(ctx context.Context, t Tenant, d Device) ([]WorkApp, error) {
	if d.WorkPolicyID == nil || d.State == DeviceRemoved {
		return nil, nil
	}
	var out []WorkApp
	err := s.atomic(ctx, func(tx Store, _ time.Time) error {
		p, err := tx.Policies().WorkPolicy(ctx, t.ID, *d.WorkPolicyID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		reported, err := s.reportedWorkApps(ctx, tx, t.ID, d)
		out = WorkAppsOf(d, p, reported)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("work apps of device %s: %w", d.ID, err)
	}
	return out, nil
}

// WorkAppProgress says how far the work apps that a device's policy installs without
// asking are on the device: Wanted of them, Installed and Failed so far. Reported is false
// when the device's platform cannot tell, and the counts are then zero.
type WorkAppProgress struct {
	Wanted, Installed, Failed int
	Reported                  bool
}

// Done reports whether every wanted app is installed (also when none is wanted).
func (p WorkAppProgress) Done() bool { return p.Installed == p.Wanted }

// WorkAppProgressOf returns how far the required work apps of d's policy are installed on
// d, read inside tx from what the device's platform keeps of them (its WorkAppReader, the
// same the device page shows). A device without a policy wants no app.
func (s *Service) WorkAppProgressOf(ctx context.Context, tx Store, d Device) (WorkAppProgress, error) {
	i := s.platformIndex(d.Platform)
	if i < 0 || s.platforms[i].WorkApps == nil {
		return WorkAppProgress{}, nil
	}
	out := WorkAppProgress{Reported: true}
	if d.WorkPolicyID == nil {
		return out, nil
	}
	p, err := tx.Policies().WorkPolicy(ctx, d.TenantID, *d.WorkPolicyID)
	if errors.Is(err, ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return WorkAppProgress{}, fmt.Errorf("policy of device %s: %w", d.ID, err)
	}
	required := p.Required(d.Platform)
	out.Wanted = len(required)
	if len(required) == 0 {
		return out, nil
	}
	reported, err := s.platforms[i].WorkApps.WorkApps(ctx, tx, d.TenantID, d)
	if err != nil {
		return WorkAppProgress{}, fmt.Errorf("work apps of device %s: %w", d.ID, err)
	}
	states := make(map[string]WorkAppState, len(reported))
	for _, r := range reported {
		states[r.AppID] = r.State
	}
	for _, a := range required {
		switch states[a.AppID] {
		case AppInstalled:
			out.Installed++
		case AppFailed:
			out.Failed++
		}
	}
	return out, nil
}
