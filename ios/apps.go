package ios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// wantedApp is a work app as the policy wants it on iPhones.
type wantedApp struct {
	bundleID string
	config   mdm.JSONObject
	hash     string
}

// wantedApps are the policy's iOS apps that are installed without asking. Apps that are
// only "available" are not pushed: User Enrolment has no work app catalogue of its own.
func wantedApps(p mdm.WorkPolicy) []wantedApp {
	var out []wantedApp
	for _, a := range p.Required(mdm.PlatformIOS) {
		out = append(out, wantedApp{bundleID: a.AppID, config: a.ManagedConfig, hash: configHash(a.ManagedConfig)})
	}
	return out
}

// appAction is one command that brings a group of enrolments one step closer to the
// policy: install an app, change its configuration, or remove it.
type appAction struct {
	app     wantedApp
	kind    string // InstallApplication, Settings, RemoveApplication
	targets []mdm.Device
}

// planApps compares what the policy wants with what each enrolment has and groups the
// enrolments that need the same command, so that one command serves them all.
// Only devices whose employee holds the app's licence (licensed) get it installed.
func planApps(want []wantedApp, devices []mdm.Device, have map[string][]storage.WorkApp, licensed licensedFunc) []appAction {
	var plan []appAction
	for _, w := range want {
		install := appAction{app: w, kind: "InstallApplication"}
		configure := appAction{app: w, kind: "Settings"}
		for _, d := range devices {
			i := slices.IndexFunc(have[d.PlatformID], func(a storage.WorkApp) bool { return a.BundleID == w.bundleID })
			switch {
			case i < 0, have[d.PlatformID][i].State == storage.AppFailed, have[d.PlatformID][i].State == storage.AppRemoving:
				if licensed(d, w.bundleID) {
					install.targets = append(install.targets, d)
				}
			case have[d.PlatformID][i].ConfigHash != w.hash:
				configure.targets = append(configure.targets, d)
			}
		}
		plan = append(plan, install, configure)
	}
	removals := map[string]*appAction{}
	for _, d := range devices {
		for _, a := range have[d.PlatformID] {
			if a.State == storage.AppRemoving || slices.ContainsFunc(want, func(w wantedApp) bool { return w.bundleID == a.BundleID }) {
				continue
			}
			r := removals[a.BundleID]
			if r == nil {
				r = &appAction{app: wantedApp{bundleID: a.BundleID}, kind: "RemoveApplication"}
				removals[a.BundleID] = r
			}
			r.targets = append(r.targets, d)
		}
	}
	for _, r := range removals {
		plan = append(plan, *r)
	}
	return slices.DeleteFunc(plan, func(a appAction) bool { return len(a.targets) == 0 })
}

// ApplyPolicy brings the work apps of the policy's enrolled iPhones in line with it: apps
// missing (or failed) are installed with their configuration once the employee holds
// the app's licence (see licenceGate), apps whose configuration
// changed get a Settings command with only the new configuration, apps no longer in the
// policy are removed. Phones managed declaratively (iOS 17.2 or later) get the policy as a
// declaration set instead (syncDeclarations). Enrolments that are in line get nothing, so
// repeating it is harmless.
func (p *Platform) ApplyPolicy(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy) error {
	// A batch of devices at a time, so that the memory it takes does not grow with the
	// policy's devices.
	f := mdm.DeviceFilter{Platform: mdm.PlatformIOS, State: mdm.DeviceActive, WorkPolicyID: wp.ID}
	err := p.svc.EachDeviceBatch(ctx, t, f, func(devices []mdm.Device) error { return p.applyPolicyTo(ctx, t, wp, devices) })
	if err != nil {
		return fmt.Errorf("apply policy %q: %w", wp.Name, err)
	}
	return nil
}

// ApplyPolicyToDevice is ApplyPolicy for the one device that has joined the policy
// (enrolled with it or moved to it): it reads only that device's apps and licences.
func (p *Platform) ApplyPolicyToDevice(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy, d mdm.Device) error {
	if d.Platform != mdm.PlatformIOS || d.State != mdm.DeviceActive || d.WorkPolicyID == nil || *d.WorkPolicyID != wp.ID {
		return nil
	}
	return p.applyPolicyTo(ctx, t, wp, []mdm.Device{d})
}

// applyPolicyTo brings the devices, which follow the policy, in line with it.
func (p *Platform) applyPolicyTo(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy, devices []mdm.Device) error {
	if len(devices) == 0 {
		return nil
	}
	ids := make([]string, len(devices))
	for i, d := range devices {
		ids[i] = d.PlatformID
	}
	have, err := p.store.WorkApps(ctx, ids)
	if err != nil {
		return err
	}
	want := wantedApps(wp)
	licensed, err := p.licenceGate(ctx, t, want, devices, have)
	if err != nil {
		return fmt.Errorf("licences of policy %q: %w", wp.Name, err)
	}
	// Phones managed declaratively get the policy as a declaration set, and by command
	// only the apps with a managed configuration; the others get everything by command.
	declared, commanded := declarativeApps(want)
	declarative, devices, err := p.syncDeclarations(ctx, t, wp, declared, devices, licensed)
	if err != nil {
		return err
	}
	if p.lic != nil {
		// The gate may have recorded failures; plan with what is stored now.
		if have, err = p.store.WorkApps(ctx, ids); err != nil {
			return err
		}
	}
	plan := planApps(want, devices, have, licensed)
	if len(declarative) > 0 {
		plan = append(plan, planApps(commanded, declarative, commandedRows(have, declarative, declared), licensed)...)
	}
	for _, action := range plan {
		if err := p.queueAppAction(ctx, t, action); err != nil {
			return fmt.Errorf("%s %s: %w", action.kind, action.app.bundleID, err)
		}
	}
	return nil
}

// queueAppAction queues one command for the action's enrolments and records, in the same
// transaction, where each of their apps now stands.
func (p *Platform) queueAppAction(ctx context.Context, t mdm.Tenant, a appAction) error {
	uuid := newUUID()
	var cmd *apple.Command
	var err error
	state := storage.AppQueued
	switch a.kind {
	case "InstallApplication":
		cmd, err = installApplication(uuid, a.app.bundleID, a.app.config)
	case "Settings":
		cmd, err = applicationConfiguration(uuid, a.app.bundleID, a.app.config)
	default:
		cmd, err = newCommand(uuid, "RemoveApplication", map[string]any{"Identifier": a.app.bundleID})
		state = storage.AppRemoving
	}
	if err != nil {
		return err
	}
	byEnrolment := make(map[string]mdm.Device, len(a.targets))
	ids := make([]string, len(a.targets))
	for i, d := range a.targets {
		byEnrolment[d.PlatformID], ids[i] = d, d.PlatformID
	}
	now := time.Now().UTC()
	_, err = p.enqueue(ctx, ids, cmd, true, func(tx *store.Tx, queued []string) error {
		rows := make([]storage.WorkApp, len(queued))
		for i, id := range queued {
			d := byEnrolment[id]
			rows[i] = storage.WorkApp{EnrollmentID: id, BundleID: a.app.bundleID, TenantID: t.ID, DeviceID: d.ID,
				ConfigHash: a.app.hash, State: state, CommandUUID: uuid, UpdatedAt: now}
		}
		return storage.PutWorkApps(tx.DB(ctx), rows)
	})
	return err
}

// errNotOnUserEnrolment refuses what User Enrolment does not let an MDM do.
var errNotOnUserEnrolment = errors.New("an iPhone enrolled with User Enrolment does not allow this")
