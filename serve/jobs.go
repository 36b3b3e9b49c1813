package serve

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/mail"
	"github.com/trennwand/trennwand/mdm/overview"
	"github.com/trennwand/trennwand/mdm/siem"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/ui/invitation"
	"github.com/trennwand/trennwand/ui/portal"
)

// startJobs registers the workers of the background jobs and starts the queue; stop lets
// running jobs finish for a while and then cancels them (they run again after a restart).
func (in *server) startJobs(ctx context.Context) (stop func(), err error) {
	q := jobs.New(in.Store.JobDriver(), in.Log.With("component", "jobs"), jobs.Config{Events: in.Events, Queues: map[string]int{siem.Queue: siem.QueueWorkers}})
	if in.pusher != nil {
		jobs.Handle(q, in.pusher.Work)
	}
	var drivers []mdm.Driver
	if in.applePlatform != nil {
		jobs.Handle(q, in.applePlatform.CheckPushCertificates)
		q.Every(24*time.Hour, ios.PushCertCheckJob{})
		jobs.Handle(q, in.applePlatform.QueryStatus)
		q.Every(ios.StatusQueryEvery, ios.StatusQueryJob{})
		jobs.Handle(q, in.applePlatform.CheckDeclarationShape)
		q.Every(ios.DeclarationShapeEvery, ios.DeclarationShapeJob{})
		in.appleLicences.HandleJobs(q)
		in.appleLicences.ScheduleJobs(q)
		in.appleDevices.HandleJobs(q)
		in.appleDevices.ScheduleJobs(q)
		drivers = append(drivers, in.applePlatform)
	}
	if in.androidPlatform != nil {
		jobs.HandlePlatform(q, in.androidPlatform.WorkSync)
		q.Every(android.SyncInterval, android.SyncDevicesJob{})
		drivers = append(drivers, in.androidPlatform)
	}
	sender, err := in.handleMail(q)
	if err != nil {
		return nil, err
	}
	handleDataProtection(q, in.Service)
	handleDirectory(q, in.Service, sender)
	in.handleSIEM(q)
	jobs.Handle(q, in.Service.Compliance.Run)
	q.Every(compliance.Interval, compliance.Job{})
	jobs.Handle(q, in.Service.Overview.RunSnapshot)
	q.Every(overview.SnapshotEvery, overview.SnapshotJob{})
	// Policy changes and commands reach the phones through their platforms.
	d := mdm.NewDispatcher(in.Service.Service, drivers...)
	jobs.Handle(q, d.ApplyPolicy)
	jobs.Handle(q, d.DeliverCommand)
	jobs.Handle(q, d.MoveDevice)
	// The queue outlives the signal that stops the server: Stop lets running jobs finish.
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			in.Log.Warn("job queue stopped with an error", "error", err)
		}
	}, nil
}

// dataProtectionInterval is how often the retention and inactivity sweeps run. Their
// periods are days and years, so an hour's delay is of no account; each sweep does its
// work once however often it runs.
const dataProtectionInterval = time.Hour

// handleDataProtection registers the periodic sweeps of data protection: deleting removed
// devices and old audit events after their retention periods, and the inactivity rule.
func handleDataProtection(q *jobs.Queue, svc *domain.Services) {
	jobs.Handle(q, svc.DataProtection.RunDeviceRetention)
	jobs.Handle(q, svc.Trail.RunAuditRetention)
	jobs.Handle(q, svc.DataProtection.RunInactivity)
	q.Every(dataProtectionInterval, dataprotection.DeviceRetentionJob{})
	q.Every(dataProtectionInterval, trail.AuditRetentionJob{})
	q.Every(dataProtectionInterval, dataprotection.InactivityJob{})
}

// handleMail registers the workers that send e-mail, when SMTP is configured, and
// returns the sender (nil without SMTP).
func (in *server) handleMail(q *jobs.Queue) (*mail.Sender, error) {
	if in.Config.SMTPURL == "" {
		return nil, nil
	}
	sender, err := mail.New(in.Config.SMTPURL, in.Config.MailFrom)
	if err != nil {
		return nil, err
	}
	jobs.Handle(q, func(ctx context.Context, job enrolment.InvitationMailJob) error {
		return in.Service.Enrolment.SendInvitationMail(ctx, job, func(ctx context.Context, m enrolment.InvitationMail) error {
			subject, text, err := portal.InvitationMail(m, invitation.Link(in.Config.PublicURL, m.Code))
			if err != nil {
				return err
			}
			return sender.Send(ctx, mail.Message{To: m.Employee.Email, Subject: subject, Text: text})
		})
	})
	jobs.Handle(q, func(ctx context.Context, job compliance.MailJob) error {
		return in.Service.Compliance.SendMail(ctx, job, func(ctx context.Context, n compliance.Notice) error {
			subject, text := n.Message()
			return sender.Send(ctx, mail.Message{To: n.Employee.Email, Subject: subject, Text: text})
		})
	})
	jobs.Handle(q, func(ctx context.Context, job access.FactorResetMailJob) error {
		return in.Service.Access.SendFactorResetMail(ctx, job, func(ctx context.Context, n access.FactorResetNotice) error {
			subject, text := n.Message()
			return sender.Send(ctx, mail.Message{To: n.Admin.Email, Subject: subject, Text: text})
		})
	})
	jobs.Handle(q, func(ctx context.Context, job dataprotection.InactivityMailJob) error {
		return in.Service.DataProtection.SendInactivityMail(ctx, job, func(ctx context.Context, n dataprotection.InactivityNotice) error {
			subject, text := n.Message()
			for _, to := range n.Recipients {
				if err := sender.Send(ctx, mail.Message{To: to, Subject: subject, Text: text}); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return sender, nil
}
