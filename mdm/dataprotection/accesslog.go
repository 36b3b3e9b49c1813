package dataprotection

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Access is one entry of the access log: someone looked at or exported data. Whose is the
// employee whose data it was (the employee opened, or the owner of the device opened or
// reported on); nil for an export of the whole trail, or when the device or employee has
// since been deleted after its retention period.
type Access struct {
	audit.Event
	Whose *mdm.Employee
}

// errLogFull stops reading the trail once a page of the access log is full.
var errLogFull = errors.New("access log page full")

// AccessLog returns up to limit of the tenant's accesses after event afterSeq, oldest
// first, each with whose data it was, so that the data-protection officer reads who
// looked at whom. Reading the log is not itself an access to anyone's data.
func (s *Service) AccessLog(ctx context.Context, t mdm.Tenant, afterSeq int64, limit int) ([]Access, error) {
	limit = mdm.Page{Limit: limit}.Normalized().Limit
	st := s.DB
	var out []Access
	err := st.Trail().FilteredAuditEvents(ctx, t.ID, mdm.AuditFilter{Actions: audit.AccessActions, AfterSeq: afterSeq},
		func(e audit.Event) error {
			out = append(out, Access{Event: e})
			if len(out) == limit {
				return errLogFull
			}
			return nil
		})
	if err != nil && !errors.Is(err, errLogFull) {
		return nil, fmt.Errorf("read the access log of %s: %w", t.Name, err)
	}
	people := map[string]*mdm.Employee{} // by subject
	for i, a := range out {
		whose, ok := people[a.Subject]
		if !ok {
			if whose, err = s.whose(ctx, st, t.ID, a.Subject); err != nil {
				return nil, err
			}
			people[a.Subject] = whose
		}
		out[i].Whose = whose
	}
	return out, nil
}

// whose returns the employee an access's subject belongs to; nil for a subject that is no
// employee or device, or one that no longer exists.
func (s *Service) whose(ctx context.Context, st mdm.Store, tenantID, subject string) (*mdm.Employee, error) {
	kind, ok := audit.KindOf(subject)
	if !ok {
		return nil, nil
	}
	id := subject[len(kind)+1:]
	if kind == audit.Device {
		d, err := st.Devices().Device(ctx, tenantID, id)
		if errors.Is(err, mdm.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("device %s of the access log: %w", id, err)
		}
		kind, id = audit.Employee, d.EmployeeID
	}
	if kind != audit.Employee {
		return nil, nil
	}
	e, err := st.Devices().Employee(ctx, tenantID, id)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("employee %s of the access log: %w", id, err)
	}
	return &e, nil
}
