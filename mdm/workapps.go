package mdm

import (
	"context"
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
// device; none when the platform keeps nothing of them. Show them through WorkAppsOf.
func (s *Service) ReportedWorkApps(ctx context.Context, t Tenant, d Device) ([]WorkApp, error) {
	i := s.platformIndex(d.Platform)
	if i < 0 || s.platforms[i].WorkApps == nil {
		return nil, nil
	}
	var out []WorkApp
	err := s.atomic(ctx, func(tx Store, _ time.Time) error {
		var err error
		out, err = s.platforms[i].WorkApps.WorkApps(ctx, tx, t.ID, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("work apps of device %s: %w", d.ID, err)
	}
	return out, nil
}
