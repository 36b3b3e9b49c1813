package android

import (
	"context"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// Issue exposes issue to the tests: a raw AMAPI command, through the platform's guard.
func (p *Platform) Issue(ctx context.Context, t mdm.Tenant, d mdm.Device, commandID string, cmd *amapi.Command) error {
	return p.issue(ctx, t, d, mdm.Command{ID: commandID}, cmd)
}

// BatchSize is the mean number of status reports written per transaction so far.
func (p *Platform) BatchSize() float64 {
	p.batch.mu.Lock()
	defer p.batch.mu.Unlock()
	return float64(p.batch.reports) / float64(max(1, p.batch.batches))
}

// WorkAppsUnder is what the work-app reader says of the device's apps under the policy
// before any version is kept.
func WorkAppsUnder(d mdm.Device, p mdm.WorkPolicy) []mdm.WorkApp { return workApps(d, p, nil) }

// WriteReports writes the status reports of the push bodies as one batch, in one
// transaction, for the tenant whose push URL has the secret, and returns how each went.
func (p *Platform) WriteReports(ctx context.Context, secret string, bodies ...[]byte) ([]error, error) {
	items := make([]*statusItem, len(bodies))
	for i, body := range bodies {
		n, err := DecodePush(body)
		if err != nil {
			return nil, err
		}
		items[i] = &statusItem{secretHash: hashSecret(secret), n: n, done: make(chan struct{})}
	}
	p.writeStatuses(ctx, items)
	errs := make([]error, len(items))
	for i, it := range items {
		errs[i] = it.err
	}
	return errs, nil
}
