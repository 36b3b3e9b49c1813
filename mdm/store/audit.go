package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// AppendAudit adds an event at the end of the tenant's chain. It locks the chain's head
// row, so that concurrent appends, on any replica, queue and each links to the one before.
func (s *Store) AppendAudit(ctx context.Context, tenantID string, at time.Time, r audit.Record) (audit.Event, error) {
	if err := audit.Check(r); err != nil {
		return audit.Event{}, err
	}
	var e audit.Event
	err := s.within(ctx, func(tx *Tx) error {
		var head auditHead
		err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("tenant_id = ?", tenantID).Take(&head).Error
		if err != nil {
			return fmt.Errorf("audit head of tenant %s: %w", tenantID, translate(err))
		}
		e = audit.Event{
			TenantID: tenantID, Seq: head.Seq + 1, At: at.UTC().Truncate(time.Microsecond),
			Actor: r.Actor, Action: r.Action, Subject: r.Subject, Details: audit.Normalize(r.Details),
			PrevHash: head.Hash,
		}
		e.Hash = e.ComputeHash()
		if err := translate(tx.db.WithContext(ctx).Table(eventsTable).Create(&e).Error); err != nil {
			return fmt.Errorf("append audit event: %w", err)
		}
		res := tx.db.WithContext(ctx).Model(&auditHead{}).Where("tenant_id = ? AND seq = ?", tenantID, head.Seq).
			Updates(map[string]any{"seq": e.Seq, "hash": e.Hash})
		if err := affectedOne(res); err != nil {
			return err
		}
		for _, h := range tx.appended {
			if err := h(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return e, err
}

// OnAuditAppended makes h run in the transaction of every event appended from now on,
// after the hooks added before it. Hooks are added when the installation is wired, before
// the store is shared.
func (s *Store) OnAuditAppended(h mdm.AuditHook) { s.appended = append(s.appended, h) }

// Trail is the audit trail's tables as mdm/trail sees them: the events to read, the
// checkpoints and the prunes.
type Trail struct{ s *Store }

// TrailOf returns the trail's tables in tx, a transaction or the store itself.
func TrailOf(tx mdm.Store) Trail { return Trail{s: on(tx)} }

// Trail returns the audit trail in s's transaction (or outside one), for the reports of
// other sub-domains that read it in theirs.
func (s *Store) Trail() mdm.TrailReader { return Trail{s: s} }

// AuditEvents calls fn for the tenant's events after afterSeq, in order, reading them in
// batches so that a long trail does not have to fit in memory.
func (t Trail) AuditEvents(ctx context.Context, tenantID string, afterSeq int64, fn func(audit.Event) error) error {
	return walkBySeq(func() *gorm.DB { return t.s.scoped(ctx, tenantID).Table(eventsTable) }, afterSeq, eventSeq, fn)
}

// FilteredAuditEvents calls fn for the tenant's events that f selects, in order. Events
// about an employee are those whose subject or details name the employee's ID or the ID of
// one of their devices or invitations; IDs are random, so a match is no coincidence.
func (t Trail) FilteredAuditEvents(ctx context.Context, tenantID string, f mdm.AuditFilter, fn func(audit.Event) error) error {
	query, err := t.auditQuery(ctx, tenantID, f)
	if err != nil {
		return err
	}
	return walkBySeq(query, f.AfterSeq, eventSeq, fn)
}

// auditQuery returns a fresh statement for each batch that selects the tenant's events f
// selects, in no order.
func (t Trail) auditQuery(ctx context.Context, tenantID string, f mdm.AuditFilter) (func() *gorm.DB, error) {
	var mentions []string
	if f.EmployeeID != "" {
		mentions = []string{f.EmployeeID}
		for _, table := range []string{"devices", "invitations"} {
			var ids []string
			if err := t.s.scoped(ctx, tenantID).Table(table).Where("employee_id = ?", f.EmployeeID).Pluck("id", &ids).Error; err != nil {
				return nil, translate(err)
			}
			mentions = append(mentions, ids...)
		}
	}
	return func() *gorm.DB {
		q := t.s.scoped(ctx, tenantID).Table(eventsTable)
		if !f.From.IsZero() {
			q = q.Where("at >= ?", f.From.UTC())
		}
		if !f.To.IsZero() {
			q = q.Where("at < ?", f.To.UTC())
		}
		if f.UpToSeq > 0 {
			q = q.Where("seq <= ?", f.UpToSeq)
		}
		if f.BeforeSeq > 0 {
			q = q.Where("seq < ?", f.BeforeSeq)
		}
		if len(f.Actions) > 0 {
			q = q.Where("action IN ?", f.Actions)
		}
		if f.Actor != "" {
			q = q.Where("actor = ?", f.Actor)
		}
		if f.DeviceID != "" {
			q = q.Where(`(subject = ? OR details LIKE ? ESCAPE '\')`, audit.Device.Of(f.DeviceID), "%"+likeEscaper.Replace(f.DeviceID)+"%")
		}
		if len(mentions) > 0 {
			conds := make([]string, 0, len(mentions))
			args := make([]any, 0, 2*len(mentions))
			for _, id := range mentions {
				conds = append(conds, `subject LIKE ? ESCAPE '\' OR details LIKE ? ESCAPE '\'`)
				pattern := "%" + likeEscaper.Replace(id) + "%"
				args = append(args, pattern, pattern)
			}
			q = q.Where("("+strings.Join(conds, " OR ")+")", args...)
		}
		return q
	}, nil
}

// LatestAuditEvents returns up to limit of the tenant's events that f selects, newest
// first; f.BeforeSeq starts the page before an event.
func (t Trail) LatestAuditEvents(ctx context.Context, tenantID string, f mdm.AuditFilter, limit int) ([]audit.Event, error) {
	query, err := t.auditQuery(ctx, tenantID, f)
	if err != nil {
		return nil, err
	}
	var events []audit.Event
	if err := query().Order("seq DESC").Limit(limit).Find(&events).Error; err != nil {
		return nil, translate(err)
	}
	return events, nil
}

// likeEscaper makes a string match itself in a LIKE pattern with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func eventSeq(e audit.Event) int64 { return e.Seq }

// The tables of the audit trail. The event and checkpoint types belong to mdm/audit, which
// knows nothing of tables, so every query names its table.
const (
	eventsTable      = "audit_events"
	checkpointsTable = "audit_checkpoints"
)

// walkBySeq calls fn for the rows of type T that query selects, in order of seq after
// afterSeq, reading them in batches so that a long trail does not have to fit in memory.
// query returns a fresh statement for each batch.
func walkBySeq[T any](query func() *gorm.DB, afterSeq int64, seqOf func(T) int64, fn func(T) error) error {
	const batch = 1000
	for {
		var rows []T
		if err := query().Where("seq > ?", afterSeq).Order("seq").Limit(batch).Find(&rows).Error; err != nil {
			return translate(err)
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
		afterSeq = seqOf(rows[len(rows)-1])
	}
}

// AuditHead returns the position and hash of the tenant's last event.
func (t Trail) AuditHead(ctx context.Context, tenantID string) (audit.ChainHead, error) {
	head, err := first[auditHead](t.s.db.WithContext(ctx).Where("tenant_id = ?", tenantID))
	return audit.ChainHead{Seq: head.Seq, Hash: head.Hash}, err
}
