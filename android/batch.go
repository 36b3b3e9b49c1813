package android

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// Status reports are the bulk of Google's notifications, and Pub/Sub pushes many at once.
// Reports that arrive while another batch is being written wait and are written together
// in the next transaction: their push secrets resolved to tenants in one statement, their
// message IDs recorded in one, their devices read in one, and the devices whose status
// changed updated in one (Compliance.RecordDeviceStatuses); a report that claims another
// ownership than its device's is dropped, its refusal recorded once per claim in the same
// transaction, as on the path of a single report (batchClaims). Before a batch is written, the
// requests that are ready to run get the processor first (gather), so that a batch holds
// more than the few that happened to wait: a transaction's cost is mostly per statement,
// not per report. The batching is only about cost: each request is answered after the
// transaction that holds its report commits, and the message IDs in the database keep
// deliveries from counting twice, across replicas too.

// maxBatch bounds the reports written in one transaction.
const maxBatch = 500

// reportBatch collects status reports for the next transaction.
type reportBatch struct {
	mu       sync.Mutex
	waiting  []*statusItem
	flushing bool
	// reports and batches count what was written, for the benchmarks' batch size.
	reports, batches int64
}

// statusItem is one status report waiting to be written.
type statusItem struct {
	secretHash []byte
	tenantID   string // found in the batch
	n          Notification
	err        error
	done       chan struct{}
}

// statusReport writes a status report, with its message ID, in the next batch, for the
// tenant whose push secret has the hash (errUnknownSecret for none). The request that
// finds no batch being written writes the batches, its own first, until none waits.
func (p *Platform) statusReport(ctx context.Context, secretHash []byte, n Notification) error {
	it := &statusItem{secretHash: secretHash, n: n, done: make(chan struct{})}
	b := &p.batch
	b.mu.Lock()
	b.waiting = append(b.waiting, it)
	if b.flushing {
		b.mu.Unlock()
		<-it.done
		return it.err
	}
	b.flushing = true
	for {
		b.gather()
		items := b.waiting[:min(len(b.waiting), maxBatch)]
		b.waiting = b.waiting[len(items):]
		b.reports, b.batches = b.reports+int64(len(items)), b.batches+1
		b.mu.Unlock()
		// The other requests wait for this write whatever happens to this request.
		p.writeStatuses(context.WithoutCancel(ctx), items)
		b.mu.Lock()
		if len(b.waiting) == 0 {
			b.flushing = false
			b.mu.Unlock()
			return it.err
		}
	}
}

// gather lets the requests that are ready to run join the waiting batch before it is
// written: it yields the processor while the batch keeps growing (a few times at most),
// which costs no wall time when nothing else is ready. Called and returning with b.mu
// held.
func (b *reportBatch) gather() {
	for range maxYields {
		n := len(b.waiting)
		b.mu.Unlock()
		runtime.Gosched()
		b.mu.Lock()
		if len(b.waiting) == n || len(b.waiting) >= maxBatch {
			return
		}
	}
}

// maxYields bounds how often gather yields for one batch.
const maxYields = 8

// writeStatuses writes a batch in one transaction and tells each report how it went. If
// the transaction fails, every report of the batch fails, and none of their message IDs is
// recorded, so Pub/Sub delivers them again.
func (p *Platform) writeStatuses(ctx context.Context, items []*statusItem) {
	err := p.atomic(ctx, func(tx mdm.Store, db *gorm.DB, at time.Time) error {
		known, err := resolveSecrets(ctx, db, items)
		if err != nil || len(known) == 0 {
			return err
		}
		fresh, err := markSeenAll(ctx, db, known, at)
		if err != nil {
			return err
		}
		devices, err := devicesOf(ctx, tx, fresh)
		if err != nil {
			return err
		}
		claims, err := claimsOf(ctx, db, fresh, devices)
		if err != nil {
			return err
		}
		reports := make([]compliance.StatusReport, 0, len(fresh))
		apps := make([]appReport, 0, len(fresh))
		for _, it := range fresh {
			d, ok := devices[it.tenantID+" "+it.n.Device.Name]
			switch {
			case !ok:
				it.err = fmt.Errorf("%w: no device %s", errIgnored, it.n.Device.Name)
			case it.n.Device.Ownership != "" && it.n.Device.Ownership != d.Ownership:
				if d.State != mdm.DeviceRemoved {
					if err := claims.refuse(ctx, tx, db, at, it.tenantID, d, it.n.Device.Ownership); err != nil {
						return err
					}
				}
				it.err = claimIgnored(d)
			case d.State != mdm.DeviceRemoved:
				if it.n.Device.Ownership != "" {
					if err := claims.end(ctx, db, it.tenantID, d.ID); err != nil {
						return err
					}
				}
				reports = append(reports, compliance.StatusReport{Device: d, Status: it.n.Device.status(),
					Facts: it.n.Device.complianceFacts()})
				apps = append(apps, appReport{device: d, apps: it.n.Device.Apps})
				if err := p.svc.RecordHardwareIDs(ctx, tx, at, it.tenantID, d, it.n.Device.Hardware); err != nil {
					return err
				}
			}
		}
		if err := p.svc.Compliance.ReportStatuses(ctx, tx, at, reports); err != nil {
			return err
		}
		return recordWorkApps(ctx, tx, db, at, apps)
	})
	for _, it := range items {
		if err != nil {
			it.err = err
		}
		close(it.done)
	}
}

// batchClaims are the ownerships the devices of a batch claimed last against their own
// (android_ownership_refusals), keyed by tenant and device ID, kept up to date while the
// batch is written, so that a claim the batch repeats is recorded once, as on the path of
// a single report (checkOwnership).
type batchClaims map[string]mdm.Ownership

// claimsOf reads the claims on record of the devices whose reports name an ownership, in
// one statement per tenant of the batch.
func claimsOf(ctx context.Context, db *gorm.DB, items []*statusItem, devices map[string]mdm.Device) (batchClaims, error) {
	ids := map[string][]string{}
	for _, it := range items {
		if d, ok := devices[it.tenantID+" "+it.n.Device.Name]; ok && it.n.Device.Ownership != "" {
			ids[it.tenantID] = append(ids[it.tenantID], d.ID)
		}
	}
	out := batchClaims{}
	for tenantID, deviceIDs := range ids {
		var rows []ownershipRefusal
		if err := db.WithContext(ctx).Where("tenant_id = ? AND device_id IN ?", tenantID, deviceIDs).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read refused ownerships: %w", err)
		}
		for _, r := range rows {
			out[r.TenantID+" "+r.DeviceID] = r.Claimed
		}
	}
	return out, nil
}

// refuse records the refusal of the device's claim of the ownership claimed in the
// batch's transaction, unless that claim is on record already.
func (c batchClaims) refuse(ctx context.Context, tx mdm.Store, db *gorm.DB, at time.Time, tenantID string, d mdm.Device, claimed mdm.Ownership) error {
	key := tenantID + " " + d.ID
	if c[key] == claimed {
		return nil // on record already
	}
	if err := refuseClaim(ctx, tx, db, at, tenantID, d, claimed); err != nil {
		return err
	}
	c[key] = claimed
	return nil
}

// end forgets the device's claim on record, if it has one, now that it reported its own
// ownership.
func (c batchClaims) end(ctx context.Context, db *gorm.DB, tenantID, deviceID string) error {
	key := tenantID + " " + deviceID
	if _, ok := c[key]; !ok {
		return nil
	}
	if err := endClaim(ctx, db, tenantID, deviceID); err != nil {
		return err
	}
	delete(c, key)
	return nil
}

// resolveSecrets finds the tenant of each report by its push secret, in one statement, and
// returns the reports whose secret names one; the others fail with errUnknownSecret.
func resolveSecrets(ctx context.Context, db *gorm.DB, items []*statusItem) ([]*statusItem, error) {
	hashes := make([][]byte, 0, len(items))
	for _, it := range items {
		hashes = append(hashes, it.secretHash)
	}
	var bound []enterprise
	if err := db.WithContext(ctx).Select("tenant_id", "push_secret_hash").Where("push_secret_hash IN ?", hashes).Find(&bound).Error; err != nil {
		return nil, fmt.Errorf("look up push secrets: %w", err)
	}
	tenants := make(map[string]string, len(bound))
	for _, b := range bound {
		tenants[string(b.PushSecretHash)] = b.TenantID
	}
	known := make([]*statusItem, 0, len(items))
	for _, it := range items {
		if it.tenantID = tenants[string(it.secretHash)]; it.tenantID == "" {
			it.err = errUnknownSecret
			continue
		}
		known = append(known, it)
	}
	return known, nil
}

// markSeenAll records the batch's message IDs in one statement and returns the reports
// whose ID is new; a report delivered twice in one batch counts once.
func markSeenAll(ctx context.Context, db *gorm.DB, items []*statusItem, at time.Time) ([]*statusItem, error) {
	var sql strings.Builder
	sql.WriteString("INSERT INTO android_messages (tenant_id, message_id, received_at) VALUES ")
	args := make([]any, 0, 3*len(items))
	for i, it := range items {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?)")
		args = append(args, it.tenantID, it.n.MessageID, at)
	}
	sql.WriteString(" ON CONFLICT DO NOTHING RETURNING tenant_id, message_id")
	var inserted []message
	if err := db.WithContext(ctx).Raw(sql.String(), args...).Scan(&inserted).Error; err != nil {
		return nil, fmt.Errorf("record messages: %w", err)
	}
	isNew := make(map[string]bool, len(inserted))
	for _, m := range inserted {
		isNew[m.TenantID+" "+m.MessageID] = true
	}
	var fresh []*statusItem
	for _, it := range items {
		key := it.tenantID + " " + it.n.MessageID
		if isNew[key] {
			fresh = append(fresh, it)
			delete(isNew, key)
		}
	}
	return fresh, nil
}

// devicesOf reads the devices the reports name, one statement per tenant, keyed by tenant
// and AMAPI name.
func devicesOf(ctx context.Context, tx mdm.Store, items []*statusItem) (map[string]mdm.Device, error) {
	names := map[string][]string{}
	for _, it := range items {
		names[it.tenantID] = append(names[it.tenantID], it.n.Device.Name)
	}
	out := map[string]mdm.Device{}
	for tenantID, ns := range names {
		ds, err := tx.Devices().DevicesByPlatformIDs(ctx, tenantID, mdm.PlatformAndroid, ns)
		if err != nil {
			return nil, errors.Join(errors.New("read reported devices"), err)
		}
		for _, d := range ds {
			out[tenantID+" "+d.PlatformID] = d
		}
	}
	return out, nil
}
