package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// ResetSecondFactor resets the second factor of one of the tenant's administrators who
// lost it: their TOTP secret is replaced by a new, unconfirmed one, their recovery codes
// and passkeys are removed and their sessions end, so that at the next sign-in they set
// up a factor as at the first. The reason is required and recorded with who reset whose
// factor; nobody resets their own. When mail is set up, the administrator is told by
// e-mail. All of it is one transaction.
func (s *Service) ResetSecondFactor(ctx context.Context, actor string, t mdm.Tenant, id, reason string) error {
	if actor == "admin:"+id {
		return fmt.Errorf("%w: you cannot reset your own second factor; ask another administrator", mdm.ErrConflict)
	}
	reason, err := mdm.ParseReason(reason)
	if err != nil {
		return err
	}
	return s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		a, err := own.AdminByID(ctx, t.ID, id)
		if err != nil {
			return fmt.Errorf("administrator %s: %w", id, err)
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "trennwand " + t.Name, AccountName: a.Email})
		if err != nil {
			return fmt.Errorf("make second-factor secret: %w", err)
		}
		sealed, err := s.Settings.Sealer.Seal(totpPurpose(a.ID), []byte(key.Secret()))
		if err != nil {
			return fmt.Errorf("seal second-factor secret: %w", err)
		}
		removed, err := own.ResetSecondFactor(ctx, t.ID, a.ID, sealed)
		if err != nil {
			return fmt.Errorf("reset second factor of %s: %w", a.Email, err)
		}
		if err := own.DeleteAdminSessions(ctx, t.ID, a.ID); err != nil {
			return fmt.Errorf("end sessions of %s: %w", a.Email, err)
		}
		mailed := s.Settings.MailNotices && !a.Disabled()
		if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.AdminSecondFactorReset,
			Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"email": a.Email, "reason": reason,
				"passkeys_removed": removed, "mailed": mailed})}); err != nil {
			return err
		}
		if !mailed {
			return nil
		}
		return tx.EnqueueJob(ctx, FactorResetMailJob{TenantID: t.ID, AdminID: a.ID, At: at}, mdm.JobOptions{})
	})
}

// FactorResetMailJob asks for the e-mail that tells an administrator that their second
// factor was reset.
type FactorResetMailJob struct {
	TenantID string    `json:"tenant_id"`
	AdminID  string    `json:"admin_id"`
	At       time.Time `json:"at"`
}

// Kind names the job for the queue.
func (FactorResetMailJob) Kind() string { return "factor_reset_mail" }

// FactorResetNotice is what the e-mail about a reset second factor tells.
type FactorResetNotice struct {
	Tenant mdm.Tenant
	Admin  mdm.Admin
	At     time.Time
}

// SendFactorResetMail carries out a FactorResetMailJob: send delivers the notice. An
// administrator who is gone or disabled by then gets none.
func (s *Service) SendFactorResetMail(ctx context.Context, job FactorResetMailJob, send func(context.Context, FactorResetNotice) error) error {
	a, err := s.own.AdminByID(ctx, job.TenantID, job.AdminID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("administrator %s: %w", job.AdminID, err)
	}
	if a.Disabled() {
		return nil
	}
	t, err := s.Core.TenantByID(ctx, job.TenantID)
	if err != nil {
		return err
	}
	if err := send(ctx, FactorResetNotice{Tenant: t, Admin: a, At: job.At}); err != nil {
		return fmt.Errorf("send notice of the reset second factor to %s: %w", a.Email, err)
	}
	return nil
}

// Message returns the notice's subject and text, in German and English.
func (n FactorResetNotice) Message() (subject, text string) {
	when := n.At.UTC().Format("2006-01-02 15:04 UTC")
	var b strings.Builder
	fmt.Fprintf(&b, "Guten Tag,\n\nan %s hat eine Administratorin oder ein Administrator von %s den zweiten Faktor Ihres "+
		"trennwand-Kontos %s zurückgesetzt. Ihre Sitzungen wurden beendet, Ihre Passkeys und Wiederherstellungscodes "+
		"gelöscht. Bei der nächsten Anmeldung richten Sie den zweiten Faktor neu ein.\n\n"+
		"Wenn Sie das nicht erwartet haben, wenden Sie sich bitte sofort an Ihre IT.\n\n", when, n.Tenant.DisplayName, n.Admin.Email)
	fmt.Fprintf(&b, "Hello,\n\non %s an administrator of %s reset the second factor of your trennwand account %s. "+
		"Your sessions were ended, your passkeys and recovery codes removed. At your next sign-in you set up a second "+
		"factor again.\n\nIf you did not expect this, please contact your IT at once.\n", when, n.Tenant.DisplayName, n.Admin.Email)
	return "trennwand: Ihr zweiter Faktor wurde zurückgesetzt / your second factor was reset", b.String()
}
