package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
)

// startJobs starts the job queue with the workers of the platforms' jobs: commands and
// policies through the drivers, and the Android device sync (when Android is on). The
// returned function stops it, letting running jobs finish for a while.
func startJobs(ctx context.Context, in *installation, log *slog.Logger, drivers mdm.Drivers, droid *android.Platform) (func(), error) {
	q := jobs.New(in.store.JobDriver(), log.With("component", "jobs"), jobs.Config{})
	jobs.HandlePlatform(q, func(ctx context.Context, j mdm.SendCommandJob) error {
		return in.svc.SendQueuedCommand(ctx, drivers, j)
	})
	jobs.HandlePlatform(q, func(ctx context.Context, j mdm.ApplyPolicyJob) error {
		return in.svc.ApplyPolicyEverywhere(ctx, drivers, j)
	})
	if droid != nil {
		jobs.HandlePlatform(q, droid.WorkSync)
		q.Every(android.SyncInterval, android.SyncDevicesJob{})
	}
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			log.Warn("stopping the job queue", "error", err)
		}
	}, nil
}
