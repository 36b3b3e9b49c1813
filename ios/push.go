package ios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/micromdm/nanomdm/mdm"
	"github.com/sideshow/apns2"
	"golang.org/x/sync/errgroup"

	domain "github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// APNsProduction is Apple's push service for MDM; TRENNWAND_APNS_URL replaces it (a
// local fake in tests and demo mode).
const APNsProduction = apns2.HostProduction

// pushBatch is how many enrolments one push job wakes: a command for 100,000 phones
// becomes 100 jobs that several workers push at once.
const pushBatch = 1000

// maxPushAttempts bounds how often a push that APNs could not take is tried again.
const maxPushAttempts = 8

// PushJob wakes enrolments, so that they ask for the commands queued for them. A push
// carries nothing but the enrolment's push magic; the command stays on the server.
type PushJob struct {
	EnrolmentIDs []string `json:"enrolment_ids"`
	// Attempt counts the tries of these enrolments so far (0 for the first).
	Attempt int `json:"attempt,omitempty"`
}

// Kind names the job's worker.
func (PushJob) Kind() string { return "ios_push" }

// pushJobs splits the enrolments into push jobs of at most pushBatch each.
func pushJobs(ids []string) []PushJob {
	var out []PushJob
	for len(ids) > 0 {
		n := min(len(ids), pushBatch)
		out = append(out, PushJob{EnrolmentIDs: ids[:n:n]})
		ids = ids[n:]
	}
	return out
}

// PushStore is what the pusher reads: each enrolment's push token and magic, and the
// push certificates by topic (ios/storage has them).
type PushStore interface {
	RetrievePushInfo(ctx context.Context, ids []string) (map[string]*mdm.Push, error)
	RetrievePushCert(ctx context.Context, topic string) (*tls.Certificate, string, error)
	IsPushCertStale(ctx context.Context, topic, staleToken string) (bool, error)
}

// Pusher sends MDM pushes through APNs over HTTP/2, one connection per push certificate,
// many pushes at once on it.
type Pusher struct {
	store       PushStore
	queue       domain.JobStore
	host        string
	roots       *x509.CertPool
	concurrency int
	retryPause  time.Duration
	log         *slog.Logger
	events      *metrics.Events

	mu      sync.Mutex
	clients map[string]*pushClient // by topic
}

type pushClient struct {
	apns  *apns2.Client
	stale string
}

// PusherConfig says where pushes go.
type PusherConfig struct {
	// URL is the APNs base URL; empty is APNsProduction.
	URL string
	// Roots, if set, are the only CAs the APNs server's certificate may come from (the
	// local fake's); nil trusts the system's.
	Roots *x509.CertPool
	// Concurrency bounds the pushes in flight per job; zero means 100.
	Concurrency int
	// RetryPause is the pause before the first retry of pushes APNs did not take; it
	// doubles with each attempt. Zero means 5 seconds.
	RetryPause time.Duration
	Log        *slog.Logger
	// Events counts the pushes by result for /metrics; nil counts nothing.
	Events *metrics.Events
}

// NewPusher returns a pusher that reads push data from store and queues retries in jobs.
func NewPusher(store PushStore, queue domain.JobStore, cfg PusherConfig) *Pusher {
	if cfg.URL == "" {
		cfg.URL = APNsProduction
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 100
	}
	if cfg.RetryPause == 0 {
		cfg.RetryPause = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Pusher{store: store, queue: queue, host: cfg.URL, roots: cfg.Roots, concurrency: cfg.Concurrency,
		retryPause: cfg.RetryPause, log: cfg.Log, events: cfg.Events, clients: make(map[string]*pushClient)}
}

// PushOutcome counts what became of the pushes of one job.
type PushOutcome struct {
	Sent int
	// Gone are enrolments APNs no longer knows (the app was removed, the token is stale);
	// pushing them again is pointless.
	Gone []string
	// Retry are enrolments whose push APNs did not take this time.
	Retry []string
	// Refused counts pushes APNs refused for a fault on our side (certificate, topic);
	// they are among Gone, since pushing again will not cure it.
	Refused int
	// NotEnrolled are enrolments without push data: never enrolled or disabled.
	NotEnrolled int
}

// Push sends one push to each enrolment.
func (p *Pusher) Push(ctx context.Context, ids []string) (PushOutcome, error) {
	info, err := p.store.RetrievePushInfo(ctx, ids)
	if err != nil {
		return PushOutcome{}, err
	}
	out := PushOutcome{NotEnrolled: len(ids) - len(info)}
	clients := make(map[string]*apns2.Client)
	for _, push := range info {
		if clients[push.Topic] == nil {
			if clients[push.Topic], err = p.client(ctx, push.Topic); err != nil {
				return PushOutcome{}, err
			}
		}
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.concurrency)
	for _, id := range ids {
		push := info[id]
		if push == nil {
			continue
		}
		g.Go(func() error {
			verdict := p.send(gctx, clients[push.Topic], push)
			mu.Lock()
			defer mu.Unlock()
			switch verdict {
			case pushSent:
				out.Sent++
			case pushGone:
				out.Gone = append(out.Gone, id)
			case pushRefused:
				out.Gone = append(out.Gone, id)
				out.Refused++
			default:
				out.Retry = append(out.Retry, id)
			}
			return nil
		})
	}
	_ = g.Wait()
	return out, nil
}

type pushVerdict int

const (
	pushSent pushVerdict = iota
	pushGone
	pushRetry
	pushRefused
)

func (p *Pusher) send(ctx context.Context, client *apns2.Client, push *mdm.Push) pushVerdict {
	res, err := client.PushWithContext(ctx, &apns2.Notification{
		DeviceToken: hex.EncodeToString(push.Token),
		Topic:       push.Topic,
		PushType:    apns2.PushTypeMDM,
		Payload:     []byte(`{"mdm":"` + push.PushMagic + `"}`),
	})
	switch {
	case err != nil:
		p.log.Warn("APNs push failed", "topic", push.Topic, "error", err)
		return pushRetry
	case res.Sent():
		return pushSent
	case res.StatusCode == http.StatusGone || res.Reason == apns2.ReasonBadDeviceToken || res.Reason == apns2.ReasonDeviceTokenNotForTopic:
		return pushGone
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return pushRetry
	}
	// Anything else (a refused certificate, a bad topic) is a fault on our side that
	// pushing again will not cure; it is logged for IT to see.
	p.log.Error("APNs refused a push", "topic", push.Topic, "status", res.StatusCode, "reason", res.Reason)
	return pushRefused
}

// count counts what became of a job's pushes; last says that no retry follows.
func (p *Pusher) count(out PushOutcome, last bool) {
	p.events.Pushes(metrics.PushSent, out.Sent)
	p.events.Pushes(metrics.PushGone, len(out.Gone)-out.Refused)
	p.events.Pushes(metrics.PushRefused, out.Refused)
	p.events.Pushes(metrics.PushNotEnrolled, out.NotEnrolled)
	if last {
		p.events.Pushes(metrics.PushGivenUp, len(out.Retry))
	} else {
		p.events.Pushes(metrics.PushRetry, len(out.Retry))
	}
}

// client returns the APNs client of the topic's certificate, made anew when the
// certificate has been replaced (on any replica) since it was made.
func (p *Pusher) client(ctx context.Context, topic string) (*apns2.Client, error) {
	p.mu.Lock()
	c := p.clients[topic]
	p.mu.Unlock()
	if c != nil {
		stale, err := p.store.IsPushCertStale(ctx, topic, c.stale)
		if err != nil {
			return nil, err
		}
		if !stale {
			return c.apns, nil
		}
		c.apns.CloseIdleConnections()
	}
	cert, staleToken, err := p.store.RetrievePushCert(ctx, topic)
	if err != nil {
		return nil, err
	}
	client := apns2.NewClient(*cert)
	client.Host = p.host
	// HTTP/2 only, as APNs requires, on the standard library's transport, which also
	// takes the fake's CA.
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{*cert}, RootCAs: p.roots, MinVersion: tls.VersionTLS12},
		IdleConnTimeout: 10 * time.Minute,
		MaxConnsPerHost: 2,
		Protocols:       new(http.Protocols),
	}
	transport.Protocols.SetHTTP2(true)
	client.HTTPClient = &http.Client{Transport: transport, Timeout: apns2.HTTPClientTimeout}
	p.mu.Lock()
	p.clients[topic] = &pushClient{apns: client, stale: staleToken}
	p.mu.Unlock()
	return client, nil
}

// Work is the worker of PushJob: it pushes, and queues the pushes APNs did not take as a
// new job after a pause that grows with each attempt.
func (p *Pusher) Work(ctx context.Context, job PushJob) error {
	out, err := p.Push(ctx, job.EnrolmentIDs)
	if err != nil {
		return fmt.Errorf("push %d enrolments: %w", len(job.EnrolmentIDs), err)
	}
	p.count(out, job.Attempt+1 >= maxPushAttempts)
	if len(out.Gone) > 0 {
		p.log.Warn("APNs no longer knows enrolments; they get no pushes until they check in again", "count", len(out.Gone))
	}
	if len(out.Retry) == 0 {
		return nil
	}
	if job.Attempt+1 >= maxPushAttempts {
		p.log.Error("APNs did not take pushes; giving up", "count", len(out.Retry), "attempts", maxPushAttempts)
		return nil
	}
	next := PushJob{EnrolmentIDs: out.Retry, Attempt: job.Attempt + 1}
	pause := p.retryPause << job.Attempt
	if err := p.queue.EnqueueJob(ctx, next, domain.JobOptions{Queue: jobs.QueuePush, RunAt: time.Now().Add(pause)}); err != nil {
		return fmt.Errorf("queue the pushes to try again: %w", err)
	}
	return nil
}
