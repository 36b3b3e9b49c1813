// Package sim drives simulated phones against a trennwand server, for demos and load: each
// phone's employee is invited through the JSON API, the phone enrols with the real
// protocols (ios/phonesim, android/phonesim), waits for its work apps and checks in; the
// run ends with figures (Summary) that `trennwand sim` prints.
package sim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/time/rate"

	androidsim "github.com/trennwand/trennwand/android/phonesim"
	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

// Simulation runs simulated phones of one platform against a server in three phases:
// each phone is invited through the API and enrols; then it checks in until it has its
// work apps (or Settle runs out); then every configured phone checks in Checkins times.
// Enrolments per second are measured over the first phase, check-ins per second over the
// last.
type Simulation struct {
	// Count is how many phones enrol.
	Count int
	// Rate is how many enrolments start per second; 0: as fast as the workers go.
	Rate float64
	// Checkins is how many times each configured phone checks in at the end.
	Checkins int
	// Settle is how long a phone waits for its work apps.
	Settle time.Duration
	// Retry is how long a phone keeps retrying a failed step; 0: never.
	Retry time.Duration
	// Progress, when set, shows a progress bar of each phase.
	Progress io.Writer
	// Enrolled, when set, learns of each phone that has enrolled.
	Enrolled func(Device)
	// IOSVersion is the iOS version the iPhones report; from 17 on they speak Declarative
	// Device Management. Empty: they report none.
	IOSVersion string
	// Ownership is whose phones they are; company-owned iPhones enrol by account-driven
	// Device Enrollment. Empty: the server's default, the employees' own.
	Ownership mdm.Ownership

	platform    mdm.Platform
	inviter     inviter
	lat         *latencies
	concurrency int
	// newDevice makes the i-th phone with its managed Apple account (iOS).
	newDevice func(i int, appleID string) Device
}

// Connect makes a simulation of phones of the platform against the server: the server's
// root certificate is caPEM or, trusted on first use and said on stderr, the one the
// server publishes; keyCount RSA keys are shared among the phones (0: a new key per phone).
func Connect(ctx context.Context, stderr io.Writer, platform mdm.Platform, server, token string, caPEM []byte, concurrency, keyCount int) (*Simulation, error) {
	roots, err := Roots(ctx, stderr, server, caPEM)
	if err != nil {
		return nil, err
	}
	keys, err := SharedKeys(keyCount)
	if err != nil {
		return nil, err
	}
	return New(platform, server, token, roots, concurrency, keys), nil
}

// New returns a simulation of phones of the platform against the server, which they trust
// through roots, with concurrency phones working at a time; iPhones take their keys from
// keys (see SharedKeys). The caller sets Count; each phone checks in three times and
// waits a minute for its work apps unless the caller sets otherwise.
func New(platform mdm.Platform, server, token string, roots *x509.CertPool, concurrency int, keys func() (*rsa.PrivateKey, error)) *Simulation {
	client, lat := phoneClient(roots, concurrency)
	s := &Simulation{platform: platform, inviter: inviter{server: server, token: token, client: client}, lat: lat,
		concurrency: concurrency, Checkins: 3, Settle: time.Minute}
	if platform == mdm.PlatformIOS {
		s.newDevice = func(_ int, appleID string) Device {
			return IPhone{iossim.New(iossim.Config{Server: server, Client: client, Keys: keys, OSVersion: s.IOSVersion,
				Company: s.Ownership == mdm.OwnershipCompany}, appleID)}
		}
	} else {
		cfg := androidsim.Config{Server: server, Client: client, Token: token}
		s.newDevice = func(int, string) Device { return AndroidPhone{androidsim.New(cfg)} }
	}
	return s
}

// record collects the outcome of the phones.
type record struct {
	mu       sync.Mutex
	errors   int
	first    string
	devices  []Device
	checkins int
	retried  int
}

func (r *record) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors++
	if r.first == "" {
		r.first = err.Error()
	}
}

// Run runs the simulation and summarises it.
func (s *Simulation) Run(ctx context.Context) Summary {
	rec := &record{}
	runID := randomRunID()
	start := time.Now()
	var limit *rate.Limiter
	if s.Rate > 0 {
		limit = rate.NewLimiter(rate.Limit(s.Rate), 1)
	}
	s.each(ctx, "enrolling", s.Count, limit, func(ctx context.Context, i int) {
		email := fmt.Sprintf("sim-%s-%d@sim.example", runID, i)
		appleID := ""
		if s.platform == mdm.PlatformIOS {
			appleID = fmt.Sprintf("sim-%s-%d@appleid.sim.example", runID, i)
		}
		retries := s.retrier(ctx, rec)
		var code string
		err := retries(func() (err error) {
			code, err = s.inviter.invite(ctx, email, appleID, s.platform, s.Ownership)
			return err
		})
		if err != nil {
			rec.fail(err)
			return
		}
		d := s.newDevice(i, appleID)
		if err := retries(func() error { return d.Enrol(ctx, code) }); err != nil {
			rec.fail(fmt.Errorf("enrol %s: %w", email, err))
			return
		}
		rec.mu.Lock()
		rec.devices = append(rec.devices, d)
		rec.mu.Unlock()
		if s.Enrolled != nil {
			s.Enrolled(d)
		}
	})
	enrolTime := time.Since(start)

	var configured []Device
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
	s.each(ctx, "checking in", len(configured)*s.Checkins, nil, func(ctx context.Context, i int) {
		err := s.retrier(ctx, rec)(func() error {
			n, err := configured[i%len(configured)].CheckIn(ctx)
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

	sum := Summary{Platform: string(s.platform), Count: s.Count, Enrolled: len(rec.devices), Configured: len(configured),
		Errors: rec.errors, FirstError: rec.first, Retried: rec.retried,
		EnrolmentsPerS: perSecond(len(rec.devices), enrolTime), CheckinsPerS: perSecond(rec.checkins, checkTime)}
	for _, d := range rec.devices {
		done, repeated := d.Commands()
		sum.Commands += done
		sum.Repeated += repeated
		if dd, ok := d.(declarativeDevice); ok {
			c := dd.DDM()
			sum.DDMSyncs += c.Syncs
			sum.DeclarationsFetched += c.Fetched
			sum.StatusReports += c.StatusReports
		}
	}
	sum.Requests, sum.P50ms, sum.P95ms, sum.P99ms = s.lat.percentiles()
	return sum
}

// retrier returns how one phone runs a step: once, or, with Retry set, again after a
// pause while it fails and the retry time lasts, as a phone does whose server went away.
// Every repetition is counted in rec.
func (s *Simulation) retrier(ctx context.Context, rec *record) func(step func() error) error {
	deadline := time.Now().Add(s.Retry)
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
func (s *Simulation) awaitApps(ctx context.Context, d Device) bool {
	deadline := time.Now().Add(s.Settle)
	for len(d.Apps()) == 0 {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := d.CheckIn(ctx); err != nil && s.Retry == 0 {
			return false
		}
	}
	return true
}

// each runs fn for 0…n-1 on the simulation's workers, started no faster than limit
// allows (nil: no limit), with a progress bar.
func (s *Simulation) each(ctx context.Context, what string, n int, limit *rate.Limiter, fn func(ctx context.Context, i int)) {
	if n == 0 {
		return
	}
	var bar *progressbar.ProgressBar
	if s.Progress != nil {
		bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(s.Progress), progressbar.OptionSetDescription(what),
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
