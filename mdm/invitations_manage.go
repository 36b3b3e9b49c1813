package mdm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// ResendInvitation gives the employee with the e-mail address a new code: the pending
// invitations are revoked, so that the old code dies, and a new one is made for the same
// platform with the usual validity, all in one transaction. ErrNotFound when the employee
// has no pending invitation.
func (s *Service) ResendInvitation(ctx context.Context, actor string, t Tenant, email string) (NewInvitation, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return NewInvitation{}, err
	}
	var out NewInvitation
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		emp, err := tx.EmployeeByEmail(ctx, t.ID, email)
		if err != nil {
			return fmt.Errorf("employee %s: %w", email, err)
		}
		old, err := tx.PendingInvitations(ctx, t.ID, emp.ID, at)
		if err != nil {
			return fmt.Errorf("pending invitations of %s: %w", email, err)
		}
		if len(old) == 0 {
			return fmt.Errorf("%w: %s has no pending invitation (create a new one)", ErrNotFound, email)
		}
		replaced := make([]string, len(old))
		for i, inv := range old {
			if err := tx.SetInvitationRevoked(ctx, t.ID, inv.ID, at); err != nil {
				return fmt.Errorf("revoke invitation %s: %w", inv.ID, err)
			}
			replaced[i] = inv.ID
		}
		last := old[len(old)-1]
		out, err = createInvitation(ctx, tx, at, actor, t, emp, last.Platform, DefaultInvitationValidity)
		if err != nil {
			return err
		}
		if _, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.InvitationResend,
			Subject: audit.Invitation.Of(out.Invitation.ID), Details: audit.Fields(map[string]any{"replaces": replaced})}); err != nil {
			return err
		}
		return s.queueInvitationMail(ctx, tx, t, out)
	})
	return out, err
}

// createInvitation makes an invitation with a fresh code for the employee inside the
// caller's transaction, with its audit event.
func createInvitation(ctx context.Context, tx Store, at time.Time, actor string, t Tenant, emp Employee, platform Platform, validity time.Duration) (NewInvitation, error) {
	code, hash := NewInvitationCode()
	inv := Invitation{ID: NewID(), EmployeeID: emp.ID, CodeHash: hash, Platform: platform,
		ExpiresAt: at.Add(validity), CreatedAt: at}
	if err := tx.CreateInvitation(ctx, t.ID, &inv); err != nil {
		return NewInvitation{}, fmt.Errorf("create invitation for %s: %w", emp.Email, err)
	}
	if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.InvitationCreate,
		Subject: audit.Invitation.Of(inv.ID), Details: audit.Fields(map[string]any{
			"employee": emp.ID, "platform": platform, "expires_at": inv.ExpiresAt})}); err != nil {
		return NewInvitation{}, err
	}
	return NewInvitation{Invitation: inv, Employee: emp, Code: code}, nil
}

// Limits of the tenant's contact settings.
const maxContactLen = 500

// SetTenantContacts sets who runs the service for the tenant and whom employees ask about
// data protection, both shown on the portal, in one transaction with its audit event.
func (s *Service) SetTenantContacts(ctx context.Context, actor string, t Tenant, operator, privacyContact string) (Tenant, error) {
	operator, privacyContact = strings.TrimSpace(operator), strings.TrimSpace(privacyContact)
	if len(operator) > maxContactLen || len(privacyContact) > maxContactLen {
		return Tenant{}, fmt.Errorf("%w: operator and data-protection contact may have at most %d characters", ErrInvalid, maxContactLen)
	}
	if privacyContact == "" {
		return Tenant{}, errors.Join(ErrInvalid, errors.New("the data-protection contact must not be empty: employees are told whom to ask"))
	}
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		if err := tx.SetTenantContacts(ctx, t.ID, operator, privacyContact); err != nil {
			return fmt.Errorf("set contacts of tenant %s: %w", t.Name, err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TenantContacts,
			Subject: audit.Tenant.Of(t.ID), Details: audit.Fields(map[string]any{"operator": operator, "privacy_contact": privacyContact})})
		return err
	})
	t.OperatorName, t.PrivacyContact = operator, privacyContact
	return t, err
}
