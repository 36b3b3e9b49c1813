package main

import (
	"context"

	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/mail"
	"github.com/trennwand/trennwand/ui/invitation"
	"github.com/trennwand/trennwand/ui/portal"
)

// handleMail registers the worker that sends invitation e-mail, when SMTP is configured.
func (in *installation) handleMail(q *jobs.Queue) error {
	if in.cfg.SMTPURL == "" {
		return nil
	}
	sender, err := mail.New(in.cfg.SMTPURL, in.cfg.MailFrom)
	if err != nil {
		return err
	}
	jobs.Handle(q, func(ctx context.Context, job enrolment.InvitationMailJob) error {
		return in.svc.Enrolment.SendInvitationMail(ctx, job, func(ctx context.Context, m enrolment.InvitationMail) error {
			subject, text, err := portal.InvitationMail(m, invitation.Link(in.cfg.PublicURL, m.Code))
			if err != nil {
				return err
			}
			return sender.Send(ctx, mail.Message{To: m.Employee.Email, Subject: subject, Text: text})
		})
	})
	jobs.Handle(q, func(ctx context.Context, job compliance.MailJob) error {
		return in.svc.Compliance.SendMail(ctx, job, func(ctx context.Context, n compliance.Notice) error {
			subject, text := n.Message()
			return sender.Send(ctx, mail.Message{To: n.Employee.Email, Subject: subject, Text: text})
		})
	})
	jobs.Handle(q, func(ctx context.Context, job dataprotection.InactivityMailJob) error {
		return in.svc.DataProtection.SendInactivityMail(ctx, job, func(ctx context.Context, n dataprotection.InactivityNotice) error {
			subject, text := n.Message()
			for _, to := range n.Recipients {
				if err := sender.Send(ctx, mail.Message{To: to, Subject: subject, Text: text}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return nil
}
