package enrolment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// ErrWrongOwnership means a phone enrols in the way meant for the other ownership than
// its invitation's: a device enrolment, which only a company-owned phone gets, with an
// invitation for the employee's own phone, or a User Enrolment with an invitation for a
// company-owned one. The kind of enrolment decides what the employer can do on the phone,
// so it must follow the invitation, never the phone's choice.
var ErrWrongOwnership = fmt.Errorf("%w: the invitation is for a phone of the other ownership", mdm.ErrInvalid)

// OwnershipError is ErrWrongOwnership with both sides, so that the page tells the
// employee which way their invitation leads.
type OwnershipError struct {
	// Invitation is whose phone the invitation is for; Enrolment whose phone the way of
	// enrolling is for.
	Invitation, Enrolment mdm.Ownership

	tenantID, invitationID, employeeID string
}

func (e *OwnershipError) Error() string {
	return fmt.Sprintf("%v: the invitation is for a %s phone, the enrolment for a %s one", ErrWrongOwnership, e.Invitation, e.Enrolment)
}

// Unwrap makes it ErrWrongOwnership.
func (e *OwnershipError) Unwrap() error { return ErrWrongOwnership }

// ownershipOf is whose phone the invitation is for; an invitation from before ownership
// was recorded is for the employee's own phone.
func ownershipOf(inv mdm.Invitation) mdm.Ownership {
	if inv.Ownership == "" {
		return mdm.OwnershipPersonal
	}
	return inv.Ownership
}

// ownedAs checks that the invitation is for a phone of the ownership the enrolment
// serves; want "" serves any. Only an invitation usable at `at` is told apart by its
// ownership: any other is gone, whatever it was for, as the redemption says.
func ownedAs(inv mdm.Invitation, want mdm.Ownership, at time.Time) error {
	if got := ownershipOf(inv); want == "" || got == want || inv.Status(at) != mdm.InvitationPending {
		return nil
	}
	return &OwnershipError{Invitation: ownershipOf(inv), Enrolment: want,
		tenantID: inv.TenantID, invitationID: inv.ID, employeeID: inv.EmployeeID}
}

// recordRefusal records in the tenant's audit trail that err, when it is an
// OwnershipError, refused a sign-in; the refusal changed nothing else, so it has a
// transaction of its own. Any other err is returned as it is.
func (s *Service) recordRefusal(ctx context.Context, err error) error {
	var wrong *OwnershipError
	if !errors.As(err, &wrong) {
		return err
	}
	rec := audit.Record{Actor: "employee:" + wrong.employeeID, Action: audit.InvitationOwnershipRefused,
		Subject: audit.Invitation.Of(wrong.invitationID),
		Details: audit.Fields(map[string]any{"invitation_ownership": wrong.Invitation, "enrolment_ownership": wrong.Enrolment})}
	if rerr := s.Core.Record(ctx, wrong.tenantID, rec); rerr != nil {
		return fmt.Errorf("%w (recording the refusal failed: %v)", err, rerr)
	}
	return err
}
