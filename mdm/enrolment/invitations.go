package enrolment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// DefaultInvitationValidity is how long an invitation can be used when the tenant sets
// nothing else: long enough for a letter to arrive and a holiday to pass.
const DefaultInvitationValidity = 14 * 24 * time.Hour

// InviteRequest says whom to invite and for which phone.
type InviteRequest struct {
	Email          string
	Name           string
	Platform       mdm.Platform // ios, android or any
	ManagedAppleID string       // the managed Apple account for User Enrolment, if known
	Validity       time.Duration
	// Ownership says whose phone is invited: the employee's own (the default) or the
	// employer's.
	Ownership mdm.Ownership
}

// NewInvitation is a created invitation with its code, which exists only here: the code
// must be handed to the employee now, because only its hash is kept.
type NewInvitation struct {
	Invitation mdm.Invitation
	Employee   mdm.Employee
	Code       string
}

// Invite creates an invitation for the employee with the request's e-mail address,
// creating the employee on first invitation, all in one transaction with its audit event.
func (s *Service) Invite(ctx context.Context, actor string, t mdm.Tenant, req InviteRequest) (NewInvitation, error) {
	var out NewInvitation
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) (err error) {
		out, err = s.InviteIn(ctx, tx, at, actor, t, req)
		return err
	})
	return out, err
}

// InviteIn is Invite in the caller's transaction tx, at the time of its change: for a
// sub-domain whose own change asks for the invitation (a joiner of the directory).
func (s *Service) InviteIn(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, req InviteRequest) (NewInvitation, error) {
	req, err := req.normalize()
	if err != nil {
		return NewInvitation{}, err
	}
	out, err := s.invite(ctx, s.on(tx), at, actor, t, req)
	if err != nil {
		return NewInvitation{}, err
	}
	return out, s.queueInvitationMail(ctx, s.on(tx), t, out)
}

// normalize checks the request and returns it in the form in which it is stored.
func (req InviteRequest) normalize() (InviteRequest, error) {
	email, err := mdm.NormalizeEmail(req.Email)
	if err != nil {
		return req, err
	}
	platform, err := mdm.ParseInvitationPlatform(string(req.Platform))
	if err != nil {
		return req, err
	}
	ownership, err := mdm.ParseOwnership(string(req.Ownership))
	if err != nil {
		return req, err
	}
	appleID := ""
	if strings.TrimSpace(req.ManagedAppleID) != "" {
		if appleID, err = mdm.NormalizeEmail(req.ManagedAppleID); err != nil {
			return req, fmt.Errorf("managed Apple account: %w", err)
		}
	}
	name := strings.TrimSpace(req.Name)
	if len(name) > 200 {
		return req, mdm.Refuse("refusal.name_length", fmt.Errorf("%w: name is longer than 200 characters", mdm.ErrInvalid))
	}
	validity := cmp.Or(req.Validity, DefaultInvitationValidity)
	if validity < time.Hour || validity > 90*24*time.Hour {
		return req, mdm.Refuse("refusal.invitation_validity", fmt.Errorf("%w: an invitation must be valid for between one hour and 90 days", mdm.ErrInvalid))
	}
	return InviteRequest{Email: email, Name: name, Platform: platform, ManagedAppleID: appleID, Validity: validity, Ownership: ownership}, nil
}

// ErrManagedAccountRequired refuses an invitation for a phone that signs in with the
// employee's managed account (an iPhone) while none is recorded or given: without it the
// employee would read the whole notice and only then learn that the phone cannot enrol.
var ErrManagedAccountRequired = fmt.Errorf("%w: an iPhone invitation needs the employee's managed Apple account (for example anna.muster@musterstadt.appleid.com): give it with the invitation (--apple-id, the column managed_apple_id)", mdm.ErrInvalid)

// invite carries out a normalized request inside the caller's transaction: only for a
// platform the tenant has set up, and for a phone that signs in with a managed account
// only when the employee's is known.
func (s *Service) invite(ctx context.Context, tx scope, at time.Time, actor string, t mdm.Tenant, req InviteRequest) (NewInvitation, error) {
	if err := s.Core.CheckSetUp(ctx, tx.shared, t.ID, req.Platform); err != nil {
		return NewInvitation{}, err
	}
	emp, err := employeeForInvitation(ctx, tx, t.ID, at, req.Email, req.Name, req.ManagedAppleID)
	if err != nil {
		return NewInvitation{}, err
	}
	if err := s.needsAccount(req.Platform, emp); err != nil {
		return NewInvitation{}, err
	}
	return createInvitation(ctx, tx, at, actor, t, emp, invitationFor{platform: req.Platform, ownership: req.Ownership}, req.Validity)
}

// needsAccount refuses an invitation for a platform whose phones sign in with the managed
// account while the employee has none.
func (s *Service) needsAccount(p mdm.Platform, emp mdm.Employee) error {
	if p != mdm.PlatformAny && s.Core.CapabilitiesOf(p).Has(mdm.NeedsManagedAccount) && emp.ManagedAppleID == "" {
		return ErrManagedAccountRequired
	}
	return nil
}

// employeeForInvitation returns the tenant's employee with the e-mail address, creating
// them if they are new and filling in a name or managed Apple account not known before.
// A managed Apple account that differs from the known one is refused: which one is right
// is for an administrator to decide, not for an invitation to overwrite.
func employeeForInvitation(ctx context.Context, tx scope, tenantID string, at time.Time, email, name, appleID string) (mdm.Employee, error) {
	emp, err := tx.Devices().EmployeeByEmail(ctx, tenantID, email)
	if errors.Is(err, mdm.ErrNotFound) {
		emp = mdm.Employee{ID: mdm.NewID(), Email: email, Name: name, ManagedAppleID: appleID, CreatedAt: at}
		if err := tx.CreateEmployee(ctx, tenantID, &emp); err != nil {
			return mdm.Employee{}, fmt.Errorf("create employee %s: %w", email, err)
		}
		return emp, nil
	}
	if err != nil {
		return mdm.Employee{}, fmt.Errorf("look up employee %s: %w", email, err)
	}
	if appleID != "" && emp.ManagedAppleID != "" && appleID != emp.ManagedAppleID {
		return mdm.Employee{}, fmt.Errorf("%w: employee %s already has the managed Apple account %s", mdm.ErrConflict, email, emp.ManagedAppleID)
	}
	if (name != "" && emp.Name == "") || (appleID != "" && emp.ManagedAppleID == "") {
		emp.Name = cmp.Or(emp.Name, name)
		emp.ManagedAppleID = cmp.Or(emp.ManagedAppleID, appleID)
		if err := tx.UpdateEmployee(ctx, tenantID, &emp); err != nil {
			return mdm.Employee{}, fmt.Errorf("update employee %s: %w", email, err)
		}
	}
	return emp, nil
}
