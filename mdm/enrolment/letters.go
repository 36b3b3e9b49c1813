package enrolment

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// LettersMade records that the printable letters of the new invitations were made (the
// dashboard showed them, the command line wrote them), so that "letters for all unsent"
// leaves them alone.
func (s *Service) LettersMade(ctx context.Context, t mdm.Tenant, made []NewInvitation) error {
	ids := make([]string, len(made))
	for i, inv := range made {
		ids[i] = inv.Invitation.ID
	}
	return s.atomic(ctx, func(tx scope, at time.Time) error {
		if err := tx.MarkInvitationsLettered(ctx, t.ID, ids, at); err != nil {
			return fmt.Errorf("record the letters of %d invitations: %w", len(ids), err)
		}
		return nil
	})
}

// ReissueUnsent gives every invitation of the tenant that has reached nobody yet (pending,
// with neither its e-mail nor a letter) a new code for a letter, at most
// MaxBulkInvitations of them, in one transaction, and records their letters as made. The
// codes replaced were never handed out (only their hashes are kept, so a letter needs a
// new one), and each replacement is audited as a resend. None when nothing is unsent.
func (s *Service) ReissueUnsent(ctx context.Context, actor string, t mdm.Tenant) ([]NewInvitation, error) {
	var out []NewInvitation
	err := s.atomic(ctx, func(tx scope, at time.Time) error {
		unsent, err := tx.UnsentInvitations(ctx, t.ID, at, MaxBulkInvitations)
		if err != nil {
			return fmt.Errorf("unsent invitations of %s: %w", t.Name, err)
		}
		byEmployee := map[string][]mdm.Invitation{}
		var order []string
		for _, inv := range unsent {
			if _, ok := byEmployee[inv.EmployeeID]; !ok {
				order = append(order, inv.EmployeeID)
			}
			byEmployee[inv.EmployeeID] = append(byEmployee[inv.EmployeeID], inv)
		}
		out = make([]NewInvitation, 0, len(order))
		ids := make([]string, 0, len(order))
		for _, id := range order {
			emp, err := tx.Devices().Employee(ctx, t.ID, id)
			if err != nil {
				return fmt.Errorf("employee %s: %w", id, err)
			}
			inv, err := s.reissue(ctx, tx, at, actor, t, emp, byEmployee[id])
			if err != nil {
				return fmt.Errorf("%s: %w", emp.Email, err)
			}
			out, ids = append(out, inv), append(ids, inv.Invitation.ID)
		}
		if len(ids) == 0 {
			return nil
		}
		return tx.MarkInvitationsLettered(ctx, t.ID, ids, at)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
