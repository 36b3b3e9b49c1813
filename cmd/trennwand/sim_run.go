package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/time/rate"

	"github.com/trennwand/trennwand/mdm"
)

// simulation runs simulated phones of one platform against a server in three phases:
// each phone is invited through the API and enrols; then it checks in until it has its
// work apps (or settle runs out); then every configured phone checks in `checkins` times.
// Enrolments per second are measured over the first phase, check-ins per second over the
// last.
type simulation struct {
	platform    mdm.Platform
	inviter     inviter
	lat         *latencies
	count       int
	concurrency int
	rate        float64 // enrolments started per second; 0: as fast as the workers go
	checkins    int
	settle      time.Duration
	retry       time.Duration // how long a phone keeps retrying a failed enrolment; 0: never
	progress    io.Writer     // nil: no progress bar
	// newDevice makes the i-th phone with its managed Apple account (iOS).
	newDevice func(i int, appleID string) simDevice
	// enrolled, when set, learns of each phone that has enrolled.
	enrolled func(simDevice)
}

// simRecord collects the outcome of the phones.
type simRecord struct {
	mu       sync.Mutex
	errors   int
	first    string
	devices  []simDevice
	checkins int
	retried  int
}

func (r *simRecord) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors++
	if r.first == "" {
		r.first = err.Error()
	}
}

// run runs the simulation and summarises it.
func (s *simulation) run(ctx context.Context) simSummary {
	rec := &simRecord{}
	runID := randomRunID()
	start := time.Now()
	var limit *rate.Limiter
	if s.rate > 0 {
		limit = rate.NewLimiter(rate.Limit(s.rate), 1)
	}
	s.each(ctx, "enrolling", s.count, limit, func(ctx context.Context, i int) {
		email := fmt.Sprintf("sim-%s-%d@sim.example", runID, i)
		appleID := ""
		if s.platform == mdm.PlatformIOS {
			appleID = fmt.Sprintf("sim-%s-%d@appleid.sim.example", runID, i)
		}
		retries := s.retrier(ctx, rec)
		var code string
		err := retries(func() (err error) {
			code, err = s.inviter.invite(ctx, email, appleID, s.platform)
			return err
		})
		if err != nil {
			rec.fail(err)
			return
		}
		d := s.newDevice(i, appleID)
		if err := retries(func() error { return d.enrol(ctx, code) }); err != nil {
			rec.fail(fmt.Errorf("enrol %s: %w", email, err))
			return
		}
		rec.mu.Lock()
		rec.devices = append(rec.devices, d)
		rec.mu.Unlock()
		if s.enrolled != nil {
			s.enrolled(d)
		}
	})
	enrolTime := time.Since(start)

	var configured []simDevice
	var cmu sync.Mutex
	s.each(ctx, "configuring", len(rec.devices), nil, func(ctx context.Context, i int) {
		d := rec.devices[i]
		if s.awaitApps(ctx, d) {
			cmu.Lock()
			configured = append(configured, d)
			cmu.Unlock()
		}
	})

	checkStart := time.Now()
	s.each(ctx, "checking in", len(configured)*s.checkins, nil, func(ctx context.Context, i int) {
		err := s.retrier(ctx, rec)(func() error {
			n, err := configured[i%len(configured)].checkIn(ctx)
			rec.mu.Lock()
			rec.checkins += n
			rec.mu.Unlock()
			return err
		})
		if err != nil {
			rec.fail(fmt.Errorf("check-in: %w", err))
		}
	})
	checkTime := time.Since(checkStart)

	var sum simSummary

	for _, d := range rec.devices {
		done, repeated := d.commands()
		sum.Commands += done
		sum.Repeated += repeated
	}
	sum = simSummary{Platform: string(s.platform), Count: s.count, Enrolled: len(rec.devices), Configured: len(configured),
		Errors: rec.errors, FirstError: rec.first, Retried: rec.retried, Commands: sum.Commands, Repeated: sum.Repeated,
		EnrolmentsPerS: perSecond(len(rec.devices), enrolTime), CheckinsPerS: perSecond(rec.checkins, checkTime)}
	sum.Requests, sum.P50ms, sum.P95ms, sum.P99ms = s.lat.percentiles()
	return sum
}

// retrier returns how one phone runs a step: once, or, with s.retry set, again after a
// pause while it fails and the retry time lasts, as a phone does whose server went away.
// Every repetition is counted in rec.
func (s *simulation) retrier(ctx context.Context, rec *simRecord) func(step func() error) error {
	deadline := time.Now().Add(s.retry)
	return func(step func() error) error {
		for {
			err := step()
			if err == nil || time.Now().After(deadline) {
				return err
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(500 * time.Millisecond):
			}
			rec.mu.Lock()
			rec.retried++
			rec.mu.Unlock()
		}
	}
}

// awaitApps checks in until the phone has its work apps, as the server's jobs queue them.
// A failed check-in ends the wait, unless the phones retry.
func (s *simulation) awaitApps(ctx context.Context, d simDevice) bool {
	deadline := time.Now().Add(s.settle)
	for len(d.apps()) == 0 {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := d.checkIn(ctx); err != nil && s.retry == 0 {
			return false
		}
	}
	return true
}

// each runs fn for 0…n-1 on the simulation's workers, started no faster than limit
// allows (nil: no limit), with a progress bar.
func (s *simulation) each(ctx context.Context, what string, n int, limit *rate.Limiter, fn func(ctx context.Context, i int)) {
	if n == 0 {
		return
	}
	var bar *progressbar.ProgressBar
	if s.progress != nil {
		bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(s.progress), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionClearOnFinish())
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(s.concurrency, n) {
		wg.Go(func() {
			for i := range work {
				fn(ctx, i)
				if bar != nil {
					_ = bar.Add(1)
				}
			}
		})
	}
	for i := range n {
		if limit != nil && limit.Wait(ctx) != nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if bar != nil {
		_ = bar.Finish()
	}
}

// randomRunID tells the employees of one run apart from those of earlier runs.
func randomRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
