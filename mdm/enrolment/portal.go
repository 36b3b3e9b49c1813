package enrolment

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// PortalView is what the employee portal knows about an invitation code: whose it is, how
// far the employee has come, and, once the code is redeemed, the employee's devices.
type PortalView struct {
	Tenant     mdm.Tenant
	Employee   mdm.Employee
	Invitation mdm.Invitation
	// Devices are the employee's enrolments that are not removed; empty before the
	// invitation is redeemed.
	Devices []mdm.Device
}

// Redeemed reports whether a phone was enrolled with the invitation; the portal then
// shows the employee's status page.
func (v PortalView) Redeemed() bool { return v.Invitation.UsedAt != nil }

// Acknowledged reports whether the employee acknowledged the current privacy notice.
func (v PortalView) Acknowledged() bool {
	return v.Invitation.AcknowledgedAt != nil && v.Invitation.NoticeVersion == mdm.NoticeVersion()
}

// OpenInvitation returns what the portal shows for a code. A code that is unknown, expired,
// revoked, or used for a phone that has since been removed is ErrInvitationGone, all alike,
// so that the answer tells a guesser nothing; each counts against the client's guesses.
func (s *Service) OpenInvitation(ctx context.Context, client netip.Addr, code string) (PortalView, error) {
	var v PortalView
	err := s.guarded(ctx, client, func() (err error) {
		v, err = portalView(ctx, s.on(s.DB), code, s.Settings.Now())
		return err
	})
	return v, err
}

// PlatformSetUp returns a *mdm.NotSetUpError when the tenant has not set up the platform
// yet, so that the portal tells the employee that IT is still setting it up instead of
// leading them into a step that cannot work.
func (s *Service) PlatformSetUp(ctx context.Context, t mdm.Tenant, p mdm.Platform) error {
	return s.DB.Atomic(ctx, func(tx mdm.Store) error { return s.Core.CheckSetUp(ctx, tx, t.ID, p) })
}

// AcceptNotice records that the employee acknowledged the privacy notice of the version
// shown to them and chose the platform, in one transaction with the step it allows: for
// Android the invitation is redeemed and the device created, for which the platform
// makes an enrolment link; for an iPhone the invitation stays pending, because the phone
// itself redeems it when it signs in. Accepting again after the redemption changes nothing.
func (s *Service) AcceptNotice(ctx context.Context, client netip.Addr, code string, platform mdm.Platform, noticeVersion string) (PortalView, error) {
	if _, err := mdm.ParsePlatform(string(platform)); err != nil {
		return PortalView{}, err
	}
	if err := mdm.CheckNoticeVersion(noticeVersion); err != nil {
		return PortalView{}, err
	}
	var v PortalView
	redeemed := false
	err := s.guarded(ctx, client, func() error {
		return s.atomic(ctx, func(tx scope, at time.Time) (err error) {
			v, redeemed, err = s.acceptIn(ctx, tx, at, code, platform, noticeVersion)
			return err
		})
	})
	if redeemed {
		s.count(platform, err, metrics.EnrolmentStarted)
	}
	return v, err
}

// acceptIn is AcceptNotice inside the caller's transaction; it reports whether the step
// redeems the invitation (also when the redemption failed, which counts as a failed
// enrolment).
func (s *Service) acceptIn(ctx context.Context, tx scope, at time.Time, code string, platform mdm.Platform, noticeVersion string) (PortalView, bool, error) {
	v, err := portalView(ctx, tx, code, at)
	if err != nil || v.Redeemed() {
		return v, false, err
	}
	if err := s.Core.CheckSetUp(ctx, tx.shared, v.Tenant.ID, platform); err != nil {
		return v, false, err
	}
	can := s.Core.CapabilitiesOf(platform)
	if err := acknowledge(ctx, tx, at, v, platform, can, noticeVersion); err != nil {
		return v, false, err
	}
	redeemed := can.Has(mdm.EnrolsByPortalLink)
	if redeemed {
		if _, err := redeemInvitation(ctx, tx, at, v.Invitation, platform, can, ""); err != nil {
			return v, true, err
		}
	}
	v, err = portalView(ctx, tx, code, at)
	return v, redeemed, err
}

// acknowledge records the acknowledgement on the invitation and in the audit trail.
func acknowledge(ctx context.Context, tx scope, at time.Time, v PortalView, platform mdm.Platform, can mdm.Capability, version string) error {
	inv := v.Invitation
	if inv.Platform != mdm.PlatformAny && inv.Platform != platform {
		return fmt.Errorf("%w: it is for %s", ErrWrongPlatform, inv.Platform)
	}
	if err := checkAccount(can, v.Employee, ""); err != nil {
		return err
	}
	if err := tx.AcknowledgeInvitation(ctx, inv.TenantID, inv.ID, version, at); err != nil {
		if errors.Is(err, mdm.ErrConflict) {
			return fmt.Errorf("%w: %v", ErrInvitationGone, err)
		}
		return err
	}
	_, err := tx.AppendAudit(ctx, inv.TenantID, at, audit.Record{Actor: "employee:" + v.Employee.ID,
		Action: audit.NoticeAcknowledge, Subject: audit.Invitation.Of(inv.ID),
		Details: audit.Fields(map[string]any{"notice_version": version, "platform": platform})})
	return err
}

// RemoveOwnDevice removes the work container of one of the employee's devices at the
// employee's request on the status page; it is audited as the employee's action.
func (s *Service) RemoveOwnDevice(ctx context.Context, client netip.Addr, code, deviceID string) error {
	v, err := s.OpenInvitation(ctx, client, code)
	if err != nil {
		return err
	}
	own := slices.ContainsFunc(v.Devices, func(d mdm.Device) bool { return d.ID == deviceID })
	if !v.Redeemed() || !own {
		return fmt.Errorf("device %s of the employee: %w", deviceID, mdm.ErrNotFound)
	}
	return s.Core.RemoveDevice(ctx, "employee:"+v.Employee.ID, v.Tenant, deviceID, "removed by the employee on the portal")
}

// ReportOwnDeviceLost secures one of the employee's company-owned phones that the employee
// reports lost on the status page (mdm.Service.ReportLost, with the phone's driver from
// drivers), as the employee's action. The employee's own phone is refused by the privacy
// matrix (mdm.ErrPersonalDevice), and nothing is ordered.
func (s *Service) ReportOwnDeviceLost(ctx context.Context, client netip.Addr, code, deviceID string, drivers map[mdm.Platform]mdm.Driver) (mdm.Command, error) {
	v, err := s.OpenInvitation(ctx, client, code)
	if err != nil {
		return mdm.Command{}, err
	}
	own := slices.ContainsFunc(v.Devices, func(d mdm.Device) bool { return d.ID == deviceID })
	if !v.Redeemed() || !own {
		return mdm.Command{}, fmt.Errorf("device %s of the employee: %w", deviceID, mdm.ErrNotFound)
	}
	return s.Core.ReportLost(ctx, "employee:"+v.Employee.ID, v.Tenant, deviceID, drivers, "reported lost by the employee on the portal")
}

// portalView reads what the portal shows for code at `at`; every reason the code leads
// nowhere is ErrInvitationGone.
func portalView(ctx context.Context, st scope, code string, at time.Time) (PortalView, error) {
	code = NormalizeInvitationCode(code)
	if code == "" {
		return PortalView{}, fmt.Errorf("%w: no code", ErrInvitationGone)
	}
	inv, err := st.InvitationByCode(ctx, mdm.HashInvitationCode(code))
	if errors.Is(err, mdm.ErrNotFound) {
		return PortalView{}, fmt.Errorf("%w: unknown code", ErrInvitationGone)
	}
	if err != nil {
		return PortalView{}, fmt.Errorf("invitation code: %w", err)
	}
	status := inv.Status(at)
	if status != mdm.InvitationPending && status != mdm.InvitationUsed {
		return PortalView{}, fmt.Errorf("%w: it is %s", ErrInvitationGone, status)
	}
	v := PortalView{Invitation: inv}
	if v.Tenant, err = st.Tenants().TenantByID(ctx, inv.TenantID); err != nil {
		return PortalView{}, fmt.Errorf("tenant of invitation %s: %w", inv.ID, err)
	}
	if v.Employee, err = st.Devices().Employee(ctx, inv.TenantID, inv.EmployeeID); err != nil {
		return PortalView{}, fmt.Errorf("employee of invitation %s: %w", inv.ID, err)
	}
	if status == mdm.InvitationPending {
		return v, nil
	}
	devices, err := st.Devices().Devices(ctx, inv.TenantID, mdm.DeviceFilter{EmployeeID: inv.EmployeeID})
	if err != nil {
		return PortalView{}, fmt.Errorf("devices of employee %s: %w", inv.EmployeeID, err)
	}
	enrolledBy := func(d mdm.Device) bool { return d.InvitationID != nil && *d.InvitationID == inv.ID }
	removed := &WorkAreaRemovedError{Employer: v.Tenant.DisplayName}
	if i := slices.IndexFunc(devices, enrolledBy); i >= 0 {
		// A removed device changes no more, so its last change is its removal.
		removed.At = devices[i].UpdatedAt
	}
	v.Devices = slices.DeleteFunc(devices, func(d mdm.Device) bool { return d.State == mdm.DeviceRemoved })
	// The code opens the status page while the phone it enrolled is still enrolled.
	if !slices.ContainsFunc(v.Devices, enrolledBy) {
		return PortalView{}, removed
	}
	return v, nil
}

// WorkAreaRemovedError is ErrWorkAreaRemoved with when the work area was removed; At is
// zero once the device's record has been deleted after its retention.
type WorkAreaRemovedError struct {
	At time.Time
	// Employer is the display name of the tenant that sent the invitation, whom the page
	// of the link still names.
	Employer string
}

func (e *WorkAreaRemovedError) Error() string { return ErrWorkAreaRemoved.Error() }

// Unwrap makes it ErrWorkAreaRemoved, and so ErrInvitationGone.
func (e *WorkAreaRemovedError) Unwrap() error { return ErrWorkAreaRemoved }

// WorkAppsOf returns, for each of the devices by ID, how far the work apps of its policy
// are installed, as its platform reports them: the portal's progress for the devices of a
// PortalView, or for the device an iPhone is about to become.
func (s *Service) WorkAppsOf(ctx context.Context, ds ...mdm.Device) (map[string]mdm.WorkAppProgress, error) {
	out := make(map[string]mdm.WorkAppProgress, len(ds))
	err := s.DB.Atomic(ctx, func(tx mdm.Store) error {
		for _, d := range ds {
			p, err := s.Core.WorkAppProgressOf(ctx, tx, d)
			if err != nil {
				return err
			}
			out[d.ID] = p
		}
		return nil
	})
	return out, err
}
