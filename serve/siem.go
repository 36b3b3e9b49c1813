package serve

import (
	"context"

	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/siem"
	"github.com/trennwand/trennwand/mdm/siem/syslog"
	"github.com/trennwand/trennwand/mdm/siem/webhook"
)

// useSIEM makes the audit feed deliver to the sinks the configuration names, before the
// store is shared: from then on every appended event of a tenant whose feed is on queues
// its delivery in its transaction.
func (in *server) useSIEM(ctx context.Context) error {
	c := in.Config.SIEM
	var sinks []siem.Sink
	if c.SyslogAddr != "" {
		s, err := syslog.New(syslog.Config{Addr: c.SyslogAddr, RootCAs: c.SyslogRoots, Certificate: c.SyslogClientCert,
			Hostname: in.Config.PublicURL.Hostname()})
		if err != nil {
			return err
		}
		sinks = append(sinks, s)
	}
	if c.WebhookURL != "" {
		secret, err := in.Service.SIEM.WebhookSecret(ctx, c.WebhookSecret)
		if err != nil {
			return err
		}
		s, err := webhook.New(webhook.Config{URL: c.WebhookURL, RootCAs: c.WebhookRoots, Secret: secret})
		if err != nil {
			return err
		}
		sinks = append(sinks, s)
	}
	in.Service.SIEM.Use(siem.Config{}, sinks...)
	for _, s := range sinks {
		in.Log.Info("audit events go to the SIEM for the tenants whose feed is on", "sink", s.Name())
	}
	return nil
}

// handleSIEM registers the delivery of the audit feed and its periodic catch-up. A
// receiver that fails is tried again after a pause that grows with each failure in a
// row, without the queue ever giving up: the cursor keeps the place.
func (in *server) handleSIEM(q *jobs.Queue) {
	jobs.HandleAgain(q, in.Service.SIEM.Deliver)
	jobs.Handle(q, in.Service.SIEM.CatchUp)
	if c := in.Config.SIEM; c.SyslogAddr != "" || c.WebhookURL != "" {
		q.Every(siem.CatchUpInterval, siem.CatchUpJob{})
	}
}
