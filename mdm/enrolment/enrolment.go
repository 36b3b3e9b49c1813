package enrolment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// Token authenticates the phone of one enrolment to the platform endpoints: the bearer
// token of Apple's account-driven enrolment, which the phone sends with every request.
// Like an invitation code, the token itself is never stored, only its SHA-256.
type Token struct {
	Hash      []byte
	TenantID  string
	DeviceID  string
	CreatedAt time.Time
}

// TableName names the table of enrolment tokens.
func (Token) TableName() string { return "enrolment_tokens" }

// Why an invitation code cannot start an enrolment, besides ErrNotFound for a code that
// matches no invitation.
var (
	// ErrInvitationGone means the invitation was used, has expired or was revoked.
	ErrInvitationGone = errors.New("the invitation cannot be used any more")
	// ErrWorkAreaRemoved means the invitation was used for a phone whose work area has
	// been removed since: the one kind of used-up code the portal explains, since only
	// the employee holding it can know the code.
	ErrWorkAreaRemoved = fmt.Errorf("%w: the work area it set up was removed", ErrInvitationGone)
	// ErrWrongPlatform means the invitation is for another kind of phone.
	ErrWrongPlatform = fmt.Errorf("%w: the invitation is for another kind of phone", mdm.ErrInvalid)
	// ErrNoManagedAppleID means an iPhone cannot enrol because the employee's managed Apple
	// account is not known, or is not the one the phone signs in with.
	ErrNoManagedAppleID = fmt.Errorf("%w: managed Apple account", mdm.ErrInvalid)
)

// EnrolmentRequest is an employee's attempt to start enrolling a phone with an invitation
// code.
type EnrolmentRequest struct {
	Code     string
	Platform mdm.Platform // ios or android
	// Account is the account the phone signs in with, if it says: for an iPhone the managed
	// Apple account. It must be the employee's.
	Account string
	// Ownership is whose phone the phone's way of enrolling serves (an iPhone's device
	// enrolment a company-owned one, its User Enrolment the employee's own); the
	// invitation must be for that ownership. Empty serves any.
	Ownership mdm.Ownership
}

// StartedEnrolment is an enrolment begun with an invitation code. The token exists only
// here: it must be handed to the phone now, because only its hash is kept.
type StartedEnrolment struct {
	Device   mdm.Device
	Employee mdm.Employee
	Token    string
}

// NormalizeInvitationCode returns a code as it was issued, forgiving what people do when
// they type one: lower case, spaces and hyphens.
func NormalizeInvitationCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
}

// StartEnrolment redeems an invitation code: the invitation is marked used, the device is
// created in state invited and an enrolment token is made for it, in one transaction with
// the audit event. An iPhone enrols only for an employee whose managed Apple account is
// known, since User Enrolment binds the work volume to it.
func (s *Service) StartEnrolment(ctx context.Context, req EnrolmentRequest) (StartedEnrolment, error) {
	platform, err := mdm.ParsePlatform(string(req.Platform))
	if err != nil {
		return StartedEnrolment{}, err
	}
	code := NormalizeInvitationCode(req.Code)
	if code == "" {
		return StartedEnrolment{}, fmt.Errorf("invitation code: %w", mdm.ErrNotFound)
	}
	var out StartedEnrolment
	err = s.atomic(ctx, func(tx scope, at time.Time) (err error) {
		out, err = s.startIn(ctx, tx, at, code, platform, req.Account, req.Ownership)
		return err
	})
	err = s.recordRefusal(ctx, err)
	if errors.Is(err, mdm.ErrCommitInDoubt) {
		err = s.redeemedAfterAll(ctx, out.Device, err)
	}
	s.count(platform, err, metrics.EnrolmentStarted)
	return out, err
}

// startIn redeems the invitation of the code inside the caller's transaction, for an
// enrolment that serves the ownership want ("" for any).
func (s *Service) startIn(ctx context.Context, tx scope, at time.Time, code string, platform mdm.Platform, account string, want mdm.Ownership) (StartedEnrolment, error) {
	inv, err := tx.InvitationByCode(ctx, mdm.HashInvitationCode(code))
	if err != nil {
		return StartedEnrolment{}, fmt.Errorf("invitation code: %w", err)
	}
	if err := ownedAs(inv, want, at); err != nil {
		return StartedEnrolment{}, err
	}
	return redeemInvitation(ctx, tx, at, inv, platform, s.Core.CapabilitiesOf(platform), account)
}

// inDoubtWait bounds how long a redemption whose commit was in doubt waits for the
// database to say whether it was made: long enough for a standby to be promoted.
const inDoubtWait = 45 * time.Second

// redeemedAfterAll finds out whether the redemption whose commit was in doubt was made,
// by asking for its device until the database answers again, as it does once a standby
// has taken over. Made, the phone gets its token as if nothing had happened, since its
// code is used up and a second sign-in would be refused. Not made, the code is still
// unused and the error tells the phone to sign in again.
func (s *Service) redeemedAfterAll(ctx context.Context, d mdm.Device, inDoubt error) error {
	ctx, cancel := context.WithTimeout(ctx, inDoubtWait)
	defer cancel()
	for {
		_, err := s.DB.Devices().Device(ctx, d.TenantID, d.ID)
		if err == nil {
			return nil
		}
		if errors.Is(err, mdm.ErrNotFound) {
			return fmt.Errorf("the invitation was not redeemed after all (%v)", inDoubt)
		}
		select {
		case <-ctx.Done():
			return inDoubt
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// count counts an enrolment step on platform for /metrics: done, or failed with err.
func (s *Service) count(platform mdm.Platform, err error, done string) {
	if err != nil {
		done = metrics.EnrolmentFailed
	}
	s.Settings.Events.Enrolment(string(platform), done)
}

// redeemInvitation marks the invitation used and creates the device in state invited with
// its enrolment token, inside the caller's transaction; can is what the platform can do.
func redeemInvitation(ctx context.Context, tx scope, at time.Time, inv mdm.Invitation, platform mdm.Platform, can mdm.Capability, account string) (StartedEnrolment, error) {
	emp, err := redeemable(ctx, tx, at, inv, platform, can, account)
	if err != nil {
		return StartedEnrolment{}, err
	}
	if err := tx.MarkInvitationUsed(ctx, inv.TenantID, inv.ID, at); err != nil {
		if errors.Is(err, mdm.ErrConflict) {
			return StartedEnrolment{}, fmt.Errorf("%w: %v", ErrInvitationGone, err)
		}
		return StartedEnrolment{}, err
	}
	// The device is whose the invitation says, never whose the phone claims to be.
	d := mdm.Device{ID: mdm.NewID(), EmployeeID: emp.ID, InvitationID: &inv.ID, Platform: platform,
		Ownership: cmp.Or(inv.Ownership, mdm.OwnershipPersonal), State: mdm.DeviceInvited, Compliance: mdm.ComplianceUnknown, ReportedCompliance: mdm.ComplianceUnknown, CreatedAt: at, UpdatedAt: at}
	if p, err := tx.Policies().DefaultWorkPolicy(ctx, inv.TenantID); err == nil {
		d.WorkPolicyID = &p.ID
	} else if !errors.Is(err, mdm.ErrNotFound) {
		return StartedEnrolment{}, fmt.Errorf("default work policy: %w", err)
	}
	if err := tx.Devices().CreateDevice(ctx, inv.TenantID, &d); err != nil {
		return StartedEnrolment{}, fmt.Errorf("create device: %w", err)
	}
	token, hash := newEnrolmentToken()
	if err := tx.CreateEnrolmentToken(ctx, inv.TenantID, &Token{Hash: hash, DeviceID: d.ID, CreatedAt: at}); err != nil {
		return StartedEnrolment{}, fmt.Errorf("create enrolment token: %w", err)
	}
	if _, err := tx.AppendAudit(ctx, inv.TenantID, at, audit.Record{Actor: "employee:" + emp.ID, Action: audit.InvitationRedeem,
		Subject: audit.Invitation.Of(inv.ID), Details: audit.Fields(map[string]any{"device": d.ID, "platform": platform, "ownership": d.Ownership})}); err != nil {
		return StartedEnrolment{}, err
	}
	return StartedEnrolment{Device: d, Employee: emp, Token: token}, nil
}

// redeemable checks that the invitation can be redeemed at `at` for a phone of the
// platform signing in with the account, and returns its employee.
func redeemable(ctx context.Context, tx scope, at time.Time, inv mdm.Invitation, platform mdm.Platform, can mdm.Capability, account string) (mdm.Employee, error) {
	if status := inv.Status(at); status != mdm.InvitationPending {
		return mdm.Employee{}, fmt.Errorf("%w: it is %s", ErrInvitationGone, status)
	}
	if inv.Platform != mdm.PlatformAny && inv.Platform != platform {
		return mdm.Employee{}, fmt.Errorf("%w: it is for %s", ErrWrongPlatform, inv.Platform)
	}
	emp, err := tx.Devices().Employee(ctx, inv.TenantID, inv.EmployeeID)
	if err != nil {
		return mdm.Employee{}, fmt.Errorf("employee of invitation %s: %w", inv.ID, err)
	}
	return emp, checkAccount(can, emp, account)
}

// checkAccount applies the platform's rule on the account the phone signs in with; can is
// what the platform can do.
func checkAccount(can mdm.Capability, emp mdm.Employee, account string) error {
	if !can.Has(mdm.NeedsManagedAccount) {
		return nil
	}
	if emp.ManagedAppleID == "" {
		return fmt.Errorf("%w: none is recorded for the employee", ErrNoManagedAppleID)
	}
	if strings.TrimSpace(account) == "" {
		return nil
	}
	if got, err := mdm.NormalizeEmail(account); err != nil || got != emp.ManagedAppleID {
		return fmt.Errorf("%w: the phone signs in with %q, not the employee's", ErrNoManagedAppleID, account)
	}
	return nil
}

// newEnrolmentToken returns a fresh enrolment token, URL-safe because Apple hands it over
// in a URL, and the hash under which it is kept.
func newEnrolmentToken() (token string, hash []byte) { return mdm.NewSecret() }

// HashEnrolmentToken returns the hash under which an enrolment token is kept.
func HashEnrolmentToken(token string) []byte { return mdm.HashSecret(token) }

// DeviceByEnrolmentToken returns the device an enrolment token authenticates; ErrNotFound
// for an unknown token and for a device that is removed, whose token is dead.
func (s *Service) DeviceByEnrolmentToken(ctx context.Context, token string) (mdm.Device, error) {
	if token == "" {
		return mdm.Device{}, mdm.ErrNotFound
	}
	d, err := s.Tables(s.DB).DeviceByEnrolmentToken(ctx, HashEnrolmentToken(token))
	if err != nil {
		return mdm.Device{}, fmt.Errorf("enrolment token: %w", err)
	}
	if d.State == mdm.DeviceRemoved {
		return mdm.Device{}, fmt.Errorf("enrolment token: the device is removed: %w", mdm.ErrNotFound)
	}
	return d, nil
}

// DeviceEmployee returns the employee whose phone the device is.
func (s *Service) DeviceEmployee(ctx context.Context, d mdm.Device) (mdm.Employee, error) {
	emp, err := s.DB.Devices().Employee(ctx, d.TenantID, d.EmployeeID)
	if err != nil {
		return mdm.Employee{}, fmt.Errorf("employee of device %s: %w", d.ID, err)
	}
	return emp, nil
}

// employeesAtOnce reads employees by many IDs in one query; the store's devices have it
// beside mdm.DeviceStore.
type employeesAtOnce interface {
	EmployeesByIDs(ctx context.Context, tenantID string, ids []string) ([]mdm.Employee, error)
}

// DeviceEmployees returns the employees whose phones the tenant's devices are, by
// employee ID: in one query where the store can, else one by one.
func (s *Service) DeviceEmployees(ctx context.Context, tenantID string, devices []mdm.Device) (map[string]mdm.Employee, error) {
	ids := make([]string, 0, len(devices))
	for _, d := range devices {
		ids = append(ids, d.EmployeeID)
	}
	out := make(map[string]mdm.Employee, len(ids))
	if many, ok := s.DB.Devices().(employeesAtOnce); ok {
		es, err := many.EmployeesByIDs(ctx, tenantID, ids)
		if err != nil {
			return nil, fmt.Errorf("employees of %d devices: %w", len(devices), err)
		}
		for _, e := range es {
			out[e.ID] = e
		}
		return out, nil
	}
	for _, d := range devices {
		emp, err := s.DeviceEmployee(ctx, d)
		if err != nil {
			return nil, err
		}
		out[emp.ID] = emp
	}
	return out, nil
}
