package mdm

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// MaxBulk is the most devices one bulk action takes: what a page of a listing can show.
const MaxBulk = MaxPageSize

// ParseDeviceIDs reads the devices a bulk action was asked for: IDs as NewID makes them,
// each once, at least one and at most MaxBulk, in the order given.
func ParseDeviceIDs(ss []string) ([]string, error) {
	if len(ss) == 0 {
		return nil, Refuse("refusal.bulk_none", fmt.Errorf("%w: choose at least one device", ErrInvalid))
	}
	if len(ss) > MaxBulk {
		return nil, Refuse("refusal.bulk_too_many", fmt.Errorf("%w: a bulk action takes at most %d devices", ErrInvalid, MaxBulk), "Max", strconv.Itoa(MaxBulk))
	}
	out, seen := make([]string, 0, len(ss)), make(map[string]bool, len(ss))
	for _, s := range ss {
		if !validID(s) {
			return nil, Refuse("refusal.device_id", fmt.Errorf("%w: %.40q is not a device ID", ErrInvalid, s))
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// BulkAction is what a bulk action on a selection of devices did.
type BulkAction string

// The bulk actions. Each runs the single action's service method once per device (for
// example AssignWorkPolicy), which checks and audits that device in a transaction of its
// own; the bulk's own event adds the stated reason and the outcome.
const (
	BulkMove             BulkAction = "move"
	BulkRemoveWorkData   BulkAction = "remove_work_data"
	BulkResendInvitation BulkAction = "resend_invitation"
	BulkExport           BulkAction = "export"
)

// BulkRecord is what the audit trail keeps of a bulk action: who asked, why, for which
// devices, and which of them it failed for. An export of a whole filtered list names the
// filter and the count instead of every device.
type BulkRecord struct {
	Action  BulkAction
	Reason  string
	Devices []string
	Failed  []string
	// Filter and Count describe an export of a whole filtered list.
	Filter map[string]string
	Count  int
}

// RecordBulk appends the bulk action's event to the audit trail: device.export (an access,
// which the data-protection officer's access log lists) for an export, device.bulk for the
// others.
func (s *Service) RecordBulk(ctx context.Context, actor string, t Tenant, r BulkRecord) error {
	reason, err := ParseReason(r.Reason)
	if err != nil {
		return err
	}
	action := audit.DeviceBulk
	if r.Action == BulkExport {
		action = audit.DeviceExport
	}
	details := map[string]any{"action": r.Action, "reason": reason, "count": max(r.Count, len(r.Devices))}
	if len(r.Devices) > 0 {
		details["devices"] = r.Devices
	}
	if len(r.Failed) > 0 {
		details["failed"] = r.Failed
	}
	if r.Filter != nil {
		details["filter"] = r.Filter
	}
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: action, Details: audit.Fields(details)})
		return err
	})
}

// DeviceTotal counts the tenant's devices that match q (its page and sort aside), for a
// confirmation that names how many an action on all of them concerns.
func (s *Service) DeviceTotal(ctx context.Context, t Tenant, q DeviceQuery) (int64, error) {
	var err error
	if q.Search, err = normalizeSearch(q.Search); err != nil {
		return 0, err
	}
	n, err := s.store.Devices().DeviceTotal(ctx, t.ID, q)
	if err != nil {
		return 0, fmt.Errorf("count devices of %s: %w", t.Name, err)
	}
	return n, nil
}
