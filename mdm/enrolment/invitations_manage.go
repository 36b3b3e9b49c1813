package enrolment

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// ResendInvitation gives the employee with the e-mail address a new code: the pending
// invitations are revoked, so that the old code dies, and a new one is made for the same
// platform with the usual validity, all in one transaction. ErrNotFound when the employee
// has no pending invitation.
func (s *Service) ResendInvitation(ctx context.Context, actor string, t mdm.Tenant, email string) (NewInvitation, error) {
	email, err := mdm.NormalizeEmail(email)
	if err != nil {
		return NewInvitation{}, err
	}
	var out NewInvitation
	err = s.atomic(ctx, func(tx scope, at time.Time) error {
		emp, err := tx.Devices().EmployeeByEmail(ctx, t.ID, email)
		if err != nil {
			return fmt.Errorf("employee %s: %w", email, err)
		}
		old, err := tx.PendingInvitations(ctx, t.ID, emp.ID, at)
		if err != nil {
			return fmt.Errorf("pending invitations of %s: %w", email, err)
		}
		if len(old) == 0 {
			return fmt.Errorf("%w: %s has no pending invitation (create a new one)", mdm.ErrNotFound, email)
		}
		out, err = s.reissue(ctx, tx, at, actor, t, emp, old)
		return err
	})
	return out, err
}

// reissue replaces the employee's invitations old with one new code for the platform and
// ownership of the last of them, inside the caller's transaction: the old ones are
// revoked, so that their codes die, the new one is audited as their resend and, with mail
// switched on, mailed.
func (s *Service) reissue(ctx context.Context, tx scope, at time.Time, actor string, t mdm.Tenant, emp mdm.Employee, old []mdm.Invitation) (NewInvitation, error) {
	replaced := make([]string, len(old))
	for i, inv := range old {
		if err := tx.SetInvitationRevoked(ctx, t.ID, inv.ID, at); err != nil {
			return NewInvitation{}, fmt.Errorf("revoke invitation %s: %w", inv.ID, err)
		}
		replaced[i] = inv.ID
	}
	last := old[len(old)-1]
	if err := s.Core.CheckSetUp(ctx, tx.shared, t.ID, last.Platform); err != nil {
		return NewInvitation{}, err
	}
	if err := s.needsAccount(last.Platform, emp); err != nil {
		return NewInvitation{}, err
	}
	out, err := createInvitation(ctx, tx, at, actor, t, emp, invitationFor{platform: last.Platform, ownership: last.Ownership}, DefaultInvitationValidity)
	if err != nil {
		return NewInvitation{}, err
	}
	if _, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.InvitationResend,
		Subject: audit.Invitation.Of(out.Invitation.ID), Details: audit.Fields(map[string]any{"replaces": replaced})}); err != nil {
		return NewInvitation{}, err
	}
	return out, s.queueInvitationMail(ctx, tx, t, out)
}

// invitationFor is the phone an invitation is for: its platform and whose it is.
type invitationFor struct {
	platform  mdm.Platform
	ownership mdm.Ownership
}

// createInvitation makes an invitation with a fresh code for the employee inside the
// caller's transaction, with its audit event.
func createInvitation(ctx context.Context, tx scope, at time.Time, actor string, t mdm.Tenant, emp mdm.Employee, phone invitationFor, validity time.Duration) (NewInvitation, error) {
	code, hash := mdm.NewInvitationCode()
	inv := mdm.Invitation{ID: mdm.NewID(), EmployeeID: emp.ID, CodeHash: hash, Platform: phone.platform,
		Ownership: cmp.Or(phone.ownership, mdm.OwnershipPersonal), ExpiresAt: at.Add(validity), CreatedAt: at}
	if err := tx.CreateInvitation(ctx, t.ID, &inv); err != nil {
		return NewInvitation{}, fmt.Errorf("create invitation for %s: %w", emp.Email, err)
	}
	if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.InvitationCreate,
		Subject: audit.Invitation.Of(inv.ID), Details: audit.Fields(map[string]any{
			"employee": emp.ID, "platform": inv.Platform, "ownership": inv.Ownership, "expires_at": inv.ExpiresAt})}); err != nil {
		return NewInvitation{}, err
	}
	return NewInvitation{Invitation: inv, Employee: emp, Code: code}, nil
}

// Limits of the tenant's contact settings.
const (
	maxContactLen  = 500
	maxEmployerLen = 200
)

// Contacts are what the portal and the letters tell employees about who is behind the
// service: the employer's name as employees know it (the tenant's display name, not its
// technical name), who runs the service, and whom to ask about data protection.
type Contacts struct {
	// Employer is the tenant's display name; empty keeps the one it has.
	Employer       string
	Operator       string
	PrivacyContact string
}

// SetTenantContacts sets the employer's name, who runs the service for the tenant and whom
// employees ask about data protection, all shown on the portal and the letters, in one
// transaction with its audit event.
func (s *Service) SetTenantContacts(ctx context.Context, actor string, t mdm.Tenant, c Contacts) (mdm.Tenant, error) {
	employer := cmp.Or(strings.TrimSpace(c.Employer), t.DisplayName)
	operator, privacyContact := strings.TrimSpace(c.Operator), strings.TrimSpace(c.PrivacyContact)
	if len(operator) > maxContactLen || len(privacyContact) > maxContactLen {
		return mdm.Tenant{}, mdm.Refuse("refusal.contact_length", fmt.Errorf("%w: operator and data-protection contact may have at most %d characters", mdm.ErrInvalid, maxContactLen), "Max", strconv.Itoa(maxContactLen))
	}
	if utf8.RuneCountInString(employer) > maxEmployerLen {
		return mdm.Tenant{}, mdm.Refuse("refusal.employer_length", fmt.Errorf("%w: the employer's name may have at most %d characters", mdm.ErrInvalid, maxEmployerLen), "Max", strconv.Itoa(maxEmployerLen))
	}
	if privacyContact == "" {
		return mdm.Tenant{}, mdm.Refuse("refusal.dpo_contact", fmt.Errorf("%w: the data-protection contact must not be empty: employees are told whom to ask", mdm.ErrInvalid))
	}
	err := s.atomic(ctx, func(tx scope, at time.Time) error {
		if err := tx.SetTenantContacts(ctx, t.ID, employer, operator, privacyContact); err != nil {
			return fmt.Errorf("set contacts of tenant %s: %w", t.Name, err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TenantContacts,
			Subject: audit.Tenant.Of(t.ID), Details: audit.Fields(map[string]any{"employer": employer, "operator": operator, "privacy_contact": privacyContact})})
		return err
	})
	t.DisplayName, t.OperatorName, t.PrivacyContact = employer, operator, privacyContact
	return t, err
}

// RevokeInvitation revokes a pending invitation, so that its code no longer enrols a
// phone, and records it.
func (s *Service) RevokeInvitation(ctx context.Context, actor string, t mdm.Tenant, id string) error {
	return s.atomic(ctx, func(tx scope, at time.Time) error { return revokeInvitation(ctx, tx, at, actor, t, id) })
}

// revokeInvitation revokes a pending invitation with its audit event in tx.
func revokeInvitation(ctx context.Context, tx scope, at time.Time, actor string, t mdm.Tenant, id string) error {
	if err := tx.SetInvitationRevoked(ctx, t.ID, id, at); err != nil {
		return fmt.Errorf("invitation %s: %w", id, err)
	}
	_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.InvitationRevoke, Subject: audit.Invitation.Of(id),
		Details: audit.NoDetails})
	return err
}

// RevokePendingIn revokes the employee's pending invitations in the caller's transaction
// tx, each with its audit event, and returns how many: for a sub-domain whose own change
// ends the employee's invitations (a leaver of the directory).
func (s *Service) RevokePendingIn(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, employeeID string) (int, error) {
	sc := s.on(tx)
	pending, err := sc.PendingInvitations(ctx, t.ID, employeeID, at)
	if err != nil {
		return 0, err
	}
	for _, inv := range pending {
		if err := revokeInvitation(ctx, sc, at, actor, t, inv.ID); err != nil {
			return 0, err
		}
	}
	return len(pending), nil
}

// InvitationQuery selects invitations for a listing.
type InvitationQuery struct {
	EmployeeID string
	mdm.Page
}

// InvitationListing is an invitation with the employee it is for.
type InvitationListing struct {
	mdm.Invitation
	EmployeeEmail string
}

// InvitationPage lists one page of the tenant's invitations, newest first.
func (s *Service) InvitationPage(ctx context.Context, t mdm.Tenant, q InvitationQuery) ([]InvitationListing, error) {
	q.Page = q.Page.Normalized()
	is, err := s.Tables(s.DB).InvitationPage(ctx, t.ID, q)
	if err != nil {
		return nil, fmt.Errorf("list invitations of %s: %w", t.Name, err)
	}
	return is, nil
}
