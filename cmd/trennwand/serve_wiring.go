package main

import (
	"context"
	"crypto/tls"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/jobs"
)

// mountApple puts the Apple component's endpoints on the server and keeps it for the
// background jobs.
func (in *installation) mountApple(srv *api.Server, tlsCfg *tls.Config) error {
	p, nano, err := in.apple(ios.TLSCertificate(tlsCfg, in.cfg.PublicURL.Hostname()))
	if err != nil {
		return err
	}
	srv.MountApple(p.Handler())
	in.pusher = ios.NewPusher(nano, in.store, ios.PusherConfig{URL: in.cfg.APNsURL, Roots: in.apnsRoots, Log: in.log.With("component", "apns")})
	in.applePlatform = p
	return nil
}

// startJobs registers the workers of the background jobs and starts the queue; stop lets
// running jobs finish for a while and then cancels them (they run again after a restart).
func (in *installation) startJobs(ctx context.Context) (stop func(), err error) {
	q := jobs.New(in.store.JobDriver(), in.log.With("component", "jobs"), jobs.Config{})
	if in.pusher != nil {
		jobs.Handle(q, in.pusher.Work)
	}
	var drivers []mdm.Driver
	if in.applePlatform != nil {
		jobs.Handle(q, in.applePlatform.CheckPushCertificates)
		q.Every(24*time.Hour, ios.PushCertCheckJob{})
		jobs.Handle(q, in.applePlatform.QueryStatus)
		q.Every(ios.StatusQueryEvery, ios.StatusQueryJob{})
		in.appleLicences.HandleJobs(q)
		in.appleLicences.ScheduleJobs(q)
		drivers = append(drivers, in.applePlatform)
	}
	if in.androidPlatform != nil {
		jobs.HandlePlatform(q, in.androidPlatform.WorkSync)
		q.Every(android.SyncInterval, android.SyncDevicesJob{})
		drivers = append(drivers, in.androidPlatform)
	}
	if err := in.handleMail(q); err != nil {
		return nil, err
	}
	handleDataProtection(q, in.svc)
	jobs.Handle(q, in.svc.Compliance.Run)
	q.Every(compliance.Interval, compliance.Job{})
	// Policy changes and commands reach the phones through their platforms.
	d := mdm.NewDispatcher(in.svc.Service, drivers...)
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
			in.log.Warn("job queue stopped with an error", "error", err)
		}
	}, nil
}
