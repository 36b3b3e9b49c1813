package mdm

import (
	"context"
	"errors"
	"fmt"
)

// WorkAppState is where one work app stands on a device, as its platform knows it.
type WorkAppState string

// The states of a work app on a device.
const (
	// WorkAppPending: the app is wanted and not installed yet, or the platform has not
	// heard of it yet.
	WorkAppPending WorkAppState = "pending"
	// WorkAppInstalled: the phone reports the app installed in the work container.
	WorkAppInstalled WorkAppState = "installed"
	// WorkAppFailed: the phone, or the platform on its behalf, gave up installing it.
	WorkAppFailed WorkAppState = "failed"
)

// WorkAppsReport is a platform's knowledge of which work apps are on a device: read inside
// tx from the platform's own rows or from what the device reported, never a copy kept
// for the purpose. It answers for each app ID asked about; one it knows nothing of is
// pending.
type WorkAppsReport interface {
	WorkAppStates(ctx context.Context, tx Store, d Device, appIDs []string) (map[string]WorkAppState, error)
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

// WorkAppsOf returns how far the required work apps of d's policy are installed on d,
// read inside tx from the device's platform. A device without a policy wants no app.
func (s *Service) WorkAppsOf(ctx context.Context, tx Store, d Device) (WorkAppProgress, error) {
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
	var ids []string
	for _, a := range p.Required(d.Platform) {
		ids = append(ids, a.AppID)
	}
	out.Wanted = len(ids)
	if len(ids) == 0 {
		return out, nil
	}
	states, err := s.platforms[i].WorkApps.WorkAppStates(ctx, tx, d, ids)
	if err != nil {
		return WorkAppProgress{}, fmt.Errorf("work apps of device %s: %w", d.ID, err)
	}
	for _, id := range ids {
		switch states[id] {
		case WorkAppInstalled:
			out.Installed++
		case WorkAppFailed:
			out.Failed++
		}
	}
	return out, nil
}
