package android

import (
	"context"
	"errors"
	"fmt"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
	"google.golang.org/api/googleapi"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// policyName is the one AMAPI policy of a work policy for the employees' own phones: every
// such device given the work policy shares it, so a change of the work policy is one call
// whatever the number of devices.
func policyName(enterpriseName, workPolicyID string) string {
	return enterpriseName + "/policies/wp-" + workPolicyID
}

// companyPolicyName is the AMAPI policy of a work policy for company-owned phones: the
// same work profile with the work policy's rules for the personal side, which AMAPI
// applies to company-owned devices only (and reports as broken on any other), so they
// never share a policy with the employees' own phones.
func companyPolicyName(enterpriseName, workPolicyID string) string {
	return policyName(enterpriseName, workPolicyID) + "-company"
}

// policyNameFor is the AMAPI policy of the work policy for a phone of the ownership.
func policyNameFor(enterpriseName, workPolicyID string, o mdm.Ownership) string {
	if o.Company() {
		return companyPolicyName(enterpriseName, workPolicyID)
	}
	return policyName(enterpriseName, workPolicyID)
}

// installTypes maps the domain's install types to AMAPI's.
var installTypes = map[mdm.InstallType]string{
	mdm.InstallRequired:  "FORCE_INSTALLED",
	mdm.InstallAvailable: "AVAILABLE",
}

// translate returns the AMAPI policy of a work policy for a personally owned phone with a
// work profile. configs holds each app's checked managed configuration by package name.
// It sets nothing that only company-owned devices know (personalUsagePolicies among
// them; see translateCompany), and asks for no more status than the work profile's
// software facts and its apps (a work profile reports its own apps only, of which the
// platform keeps the work policy's: recordWorkApps).
func translate(p mdm.WorkPolicy, configs map[string]googleapi.RawMessage) *amapi.Policy {
	out := &amapi.Policy{
		CrossProfilePolicies: &amapi.CrossProfilePolicies{
			CrossProfileCopyPaste:   "COPY_FROM_WORK_TO_PERSONAL_DISALLOWED",
			CrossProfileDataSharing: "DATA_SHARING_FROM_WORK_TO_PERSONAL_DISALLOWED",
		},
		StatusReportingSettings: &amapi.StatusReportingSettings{SoftwareInfoEnabled: true, ApplicationReportsEnabled: true},
		Applications:            []*amapi.ApplicationPolicy{},
	}
	if p.CopyPasteToPersonal {
		out.CrossProfilePolicies.CrossProfileCopyPaste = "CROSS_PROFILE_COPY_PASTE_ALLOWED"
	}
	if p.WorkPasscodeRequired {
		// The work passcode is a lock of the work profile's own, never the phone's screen
		// lock: only then does locking the work profile leave the phone usable
		// (checkSeparateWorkLock).
		out.PasswordPolicies = []*amapi.PasswordRequirements{{
			PasswordScope: "SCOPE_PROFILE", PasswordQuality: "NUMERIC_COMPLEX", PasswordMinimumLength: 6,
			UnifiedLockSettings: "REQUIRE_SEPARATE_WORK_LOCK",
		}}
	}
	for _, a := range p.Apps {
		if a.Platform != mdm.PlatformAndroid {
			continue
		}
		out.Applications = append(out.Applications, &amapi.ApplicationPolicy{
			PackageName: a.AppID, InstallType: installTypes[a.InstallType], ManagedConfiguration: configs[a.AppID],
		})
	}
	return out
}

// translateCompany returns the AMAPI policy of a work policy for a company-owned phone with
// a work profile: personal, the policy for the employees' own phones, with the work
// policy's rules for the personal side.
func translateCompany(p mdm.WorkPolicy, personal *amapi.Policy) *amapi.Policy {
	out := *personal
	u := p.PersonalUsage
	out.PersonalUsagePolicies = &amapi.PersonalUsagePolicies{MaxDaysWithWorkOff: int64(u.MaxDaysWorkOff),
		CameraDisabled: u.PersonalCameraDisabled, ScreenCaptureDisabled: u.PersonalScreenCaptureDisabled}
	return &out
}

// ApplyPolicy brings the work policy's AMAPI policy in line with p: each app's managed
// configuration is checked against the managed properties Google Play lists for the app
// (a wrong key or type is refused, naming it, before the policy is sent), then the policy
// is sent in one call. A policy already sent at p's version is not sent again, and for a
// tenant without an Android enterprise there is nothing to do.
func (p *Platform) ApplyPolicy(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy) error {
	return p.applyPolicy(ctx, t, wp, false, false)
}

// applyPolicy is ApplyPolicy; with again, a policy already sent at p's version is sent
// again (the tenant's certificate settings changed). The policy for company-owned phones
// goes with it where a company-owned phone follows the work policy, and with company
// always (a company-owned phone is about to follow it); both carry the same companion
// settings.
func (p *Platform) applyPolicy(ctx context.Context, t mdm.Tenant, wp mdm.WorkPolicy, again, company bool) error {
	again = again || company
	b, err := p.binding(ctx, t.ID)
	if errors.Is(err, ErrNotBound) {
		return nil // no Android devices yet; the first enrolment applies the policy
	}
	if err != nil {
		return err
	}
	name := policyName(b.EnterpriseName, wp.ID)
	applied, err := first[policy](ctx, p.db, "tenant_id = ? AND work_policy_id = ?", t.ID, wp.ID)
	switch {
	case err == nil && applied.PolicyName == name && applied.AppliedVersion == wp.Version && !again:
		return nil
	case err != nil && !errors.Is(err, mdm.ErrNotFound):
		return fmt.Errorf("work policy %s: %w", wp.ID, err)
	}
	configs, err := p.checkConfigs(ctx, b.EnterpriseName, wp)
	if err != nil {
		return err
	}
	out := translate(wp, configs)
	if err := p.addCompanion(ctx, t.ID, wp.ID, out); err != nil {
		return err
	}
	if _, err := p.amapi.PatchPolicy(ctx, name, out); err != nil {
		return fmt.Errorf("apply work policy %s: %w", wp.ID, err)
	}
	if err := p.applyCompanyPolicy(ctx, t, b.EnterpriseName, wp, out, company); err != nil {
		return err
	}
	return p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		row := policy{TenantID: t.ID, WorkPolicyID: wp.ID, PolicyName: name, AppliedVersion: wp.Version, UpdatedAt: at}
		err := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "work_policy_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"policy_name", "applied_version", "updated_at"})}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("record applied policy: %w", err)
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: "android", Action: audit.AndroidPolicyApply, Subject: audit.WorkPolicy.Of(wp.ID),
			Details: audit.Fields(map[string]any{"policy": name, "version": wp.Version})})
		return err
	})
}

// applyCompanyPolicy sends the work policy's AMAPI policy for company-owned phones, made
// from personal, the one for the employees' own phones: always with force, else only when
// a company-owned Android phone of the tenant has the work policy, so that a tenant
// without such phones pays no call for it.
func (p *Platform) applyCompanyPolicy(ctx context.Context, t mdm.Tenant, enterpriseName string, wp mdm.WorkPolicy, personal *amapi.Policy, force bool) error {
	if !force {
		var ds []mdm.Device
		err := p.atomic(ctx, func(tx mdm.Store, _ *gorm.DB, _ time.Time) (err error) {
			ds, err = tx.Devices().DeviceBatch(ctx, t.ID, mdm.DeviceFilter{Platform: mdm.PlatformAndroid, Ownership: mdm.OwnershipCompany, WorkPolicyID: wp.ID}, "", 1)
			return err
		})
		if err != nil || len(ds) == 0 {
			return err
		}
	}
	if _, err := p.amapi.PatchPolicy(ctx, companyPolicyName(enterpriseName, wp.ID), translateCompany(wp, personal)); err != nil {
		return fmt.Errorf("apply work policy %s for company-owned phones: %w", wp.ID, err)
	}
	return nil
}

// checkConfigs checks each Android app's managed configuration against the app's managed
// properties and returns the configurations to send, by package name. Apps without a
// configuration are not looked up.
func (p *Platform) checkConfigs(ctx context.Context, enterpriseName string, wp mdm.WorkPolicy) (map[string]googleapi.RawMessage, error) {
	configs := map[string]googleapi.RawMessage{}
	for _, a := range wp.Apps {
		if a.Platform != mdm.PlatformAndroid || a.ManagedConfig == "" || a.ManagedConfig == mdm.EmptyJSONObject {
			continue
		}
		app, err := p.amapi.Application(ctx, enterpriseName, a.AppID)
		if NotFound(err) {
			return nil, fmt.Errorf("%w: app %s is not in Google Play for this enterprise", mdm.ErrInvalid, a.AppID)
		}
		if err != nil {
			return nil, fmt.Errorf("work policy %s: %w", wp.ID, err)
		}
		if err := checkManagedConfig(a.AppID, []byte(a.ManagedConfig), app.ManagedProperties); err != nil {
			return nil, err
		}
		configs[a.AppID] = googleapi.RawMessage(a.ManagedConfig)
	}
	return configs, nil
}
