package serve

import (
	"context"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/api/scim"

	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/mail"
)

// handleDirectory registers the directory's periodic sync and leavers' sweep, and with a
// mail sender the notice to IT about each leaver.
func handleDirectory(q *jobs.Queue, svc *domain.Services, sender *mail.Sender) {
	jobs.Handle(q, svc.Directory.Run)
	q.Every(directory.Interval, directory.Job{})
	if sender == nil {
		return
	}
	jobs.Handle(q, func(ctx context.Context, job directory.LeaverMailJob) error {
		return svc.Directory.SendLeaverMail(ctx, job, func(ctx context.Context, n directory.LeaverNotice) error {
			subject, text := n.Message()
			return sender.Send(ctx, mail.Message{To: n.Recipient, Subject: subject, Text: text})
		})
	})
}

// mountSCIM mounts the SCIM endpoint through which identity providers provision the
// tenants' employees.
func mountSCIM(srv *api.Server, svc *domain.Services) {
	srv.MountSCIM(scim.New(scim.Config{Authenticate: svc.Access.AuthenticateToken, Tenant: svc.TenantByID, Directory: svc.Directory}))
}
