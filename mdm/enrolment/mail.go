package enrolment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// InvitationMailJob asks for the e-mail of one invitation. The code travels sealed with
// the master key, because the job's fields are stored in the database, where no code is
// kept otherwise.
type InvitationMailJob struct {
	TenantID     string `json:"tenant_id"`
	InvitationID string `json:"invitation_id"`
	SealedCode   []byte `json:"sealed_code"`
}

// Kind names the job for the queue.
func (InvitationMailJob) Kind() string { return "invitation_mail" }

// InvitationMail is what an invitation's e-mail tells: to whom, from which tenant, the
// code and until when.
type InvitationMail struct {
	Tenant     mdm.Tenant
	Employee   mdm.Employee
	Invitation mdm.Invitation
	Code       string
}

// mailSealPurpose binds a sealed code to its invitation.
func mailSealPurpose(invitationID string) string { return "invitation-mail:" + invitationID }

// queueInvitationMail queues the e-mail of a new invitation inside the caller's
// transaction, when the service sends e-mail.
func (s *Service) queueInvitationMail(ctx context.Context, tx scope, t mdm.Tenant, inv NewInvitation) error {
	if !s.Settings.MailInvitations {
		return nil
	}
	sealed, err := s.Settings.Sealer.Seal(mailSealPurpose(inv.Invitation.ID), []byte(inv.Code))
	if err != nil {
		return fmt.Errorf("seal invitation code for its e-mail: %w", err)
	}
	return tx.EnqueueJob(ctx, InvitationMailJob{TenantID: t.ID, InvitationID: inv.Invitation.ID, SealedCode: sealed}, mdm.JobOptions{})
}

// SendInvitationMail carries out an InvitationMailJob: send delivers the mail, and the
// sending is recorded on the invitation and in the audit trail. An invitation that was
// mailed already, or can no longer be used, is not mailed (again); a delivery that fails
// returns the error, so that the queue tries again.
func (s *Service) SendInvitationMail(ctx context.Context, job InvitationMailJob, send func(context.Context, InvitationMail) error) error {
	inv, err := s.Tables(s.DB).Invitation(ctx, job.TenantID, job.InvitationID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("invitation %s: %w", job.InvitationID, err)
	}
	if inv.MailedAt != nil || inv.Status(s.Settings.Now()) != mdm.InvitationPending {
		return nil
	}
	code, err := s.Settings.Sealer.Open(mailSealPurpose(inv.ID), job.SealedCode)
	if err != nil {
		return fmt.Errorf("open the code of invitation %s: %w", inv.ID, err)
	}
	m := InvitationMail{Invitation: inv, Code: string(code)}
	if m.Tenant, err = s.DB.Tenants().TenantByID(ctx, inv.TenantID); err != nil {
		return fmt.Errorf("tenant of invitation %s: %w", inv.ID, err)
	}
	if m.Employee, err = s.DB.Devices().Employee(ctx, inv.TenantID, inv.EmployeeID); err != nil {
		return fmt.Errorf("employee of invitation %s: %w", inv.ID, err)
	}
	if err := send(ctx, m); err != nil {
		return fmt.Errorf("send invitation %s: %w", inv.ID, err)
	}
	return s.atomic(ctx, func(tx scope, at time.Time) error {
		if err := tx.MarkInvitationMailed(ctx, inv.TenantID, inv.ID, at); err != nil {
			if errors.Is(err, mdm.ErrConflict) {
				return nil
			}
			return err
		}
		_, err := tx.AppendAudit(ctx, inv.TenantID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.InvitationMail,
			Subject: audit.Invitation.Of(inv.ID), Details: audit.Fields(map[string]any{"to": m.Employee.Email})})
		return err
	})
}
