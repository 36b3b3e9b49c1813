package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// Provisioned returns the tenant's people provisioned through SCIM and not removed,
// those with the user name only when userName is given (in any case).
func (s *Service) Provisioned(ctx context.Context, t mdm.Tenant, userName string) ([]Person, error) {
	all, err := s.Tables(s.DB).People(ctx, t.ID, SourceSCIM)
	if err != nil {
		return nil, err
	}
	out := make([]Person, 0, len(all))
	for _, p := range all {
		if p.deleted() || (userName != "" && !strings.EqualFold(p.UserName, userName)) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// ProvisionedPerson returns one person provisioned through SCIM; mdm.ErrNotFound once
// they were deleted.
func (s *Service) ProvisionedPerson(ctx context.Context, t mdm.Tenant, id string) (Person, error) {
	p, err := s.Tables(s.DB).Person(ctx, t.ID, id)
	if err == nil && (p.Source != SourceSCIM || p.deleted()) {
		err = mdm.ErrNotFound
	}
	return p, err
}

// ExternalID returns the directory's own ID of the employee, by which an employee's
// sign-in at the tenant's provider may name them; "" when the employee did not come from
// the directory.
func (s *Service) ExternalID(ctx context.Context, tenantID, employeeID string) (string, error) {
	p, err := s.Tables(s.DB).PersonOf(ctx, tenantID, employeeID)
	if errors.Is(err, mdm.ErrNotFound) {
		return "", nil
	}
	return p.ExternalID, err
}

// deleted reports whether the directory removed the person (rather than disabling them).
func (p Person) deleted() bool { return p.LeftAt != nil && p.LeftReason == LeftRemoved }

// Provision creates (with id empty) or replaces a person through SCIM and applies what it
// means, as a sync does for one person: a joiner is invited, a mover's devices move, a
// disabled person leaves. A user name another provisioned person has is refused with
// mdm.ErrConflict, an entry NormalizeEntry refuses with mdm.ErrInvalid; either changes
// nothing.
func (s *Service) Provision(ctx context.Context, actor string, t mdm.Tenant, id string, e Entry) (Person, error) {
	if id == "" {
		id = mdm.NewID()
	} else if _, err := s.ProvisionedPerson(ctx, t, id); err != nil {
		return Person{}, err
	}
	e.ExternalID = id
	e, err := NormalizeEntry(e)
	if err != nil {
		return Person{}, err
	}
	if e.UserName == "" {
		return Person{}, fmt.Errorf("%w: userName is required", mdm.ErrInvalid)
	}
	same, err := s.Provisioned(ctx, t, e.UserName)
	if err != nil {
		return Person{}, err
	}
	for _, p := range same {
		if p.ExternalID != id {
			return Person{}, fmt.Errorf("%w: the userName %q is taken", mdm.ErrConflict, e.UserName)
		}
	}
	if err := s.applyOne(ctx, actor, t, id, &e); err != nil {
		return Person{}, err
	}
	return s.Tables(s.DB).Person(ctx, t.ID, id)
}

// Deprovision deletes a person provisioned through SCIM: they leave, as someone gone
// from a directory does.
func (s *Service) Deprovision(ctx context.Context, actor string, t mdm.Tenant, id string) error {
	if _, err := s.ProvisionedPerson(ctx, t, id); err != nil {
		return err
	}
	return s.applyOne(ctx, actor, t, id, nil)
}

// applyOne decides and makes the change of one person (after nil: gone) from the facts
// about that person alone.
func (s *Service) applyOne(ctx context.Context, actor string, t mdm.Tenant, id string, after *Entry) error {
	cfg, err := s.TenantConfig(ctx, t)
	if err != nil {
		return err
	}
	f := facts{people: map[string]Person{}, employees: map[string]string{}, devices: map[string][]Device{}}
	var before *Person
	p, err := s.Tables(s.DB).Person(ctx, t.ID, id)
	switch {
	case err == nil:
		before = &p
	case !errors.Is(err, mdm.ErrNotFound):
		return err
	}
	if f.rules, err = s.Tables(s.DB).Rules(ctx, t.ID); err != nil {
		return err
	}
	email := ""
	if after != nil {
		email = after.Email
	} else if before != nil {
		email = before.Email
	}
	if emp, err := s.DB.Devices().EmployeeByEmail(ctx, t.ID, email); err == nil {
		f.employees[email] = emp.ID
	} else if !errors.Is(err, mdm.ErrNotFound) {
		return err
	}
	employeeID := f.employees[email]
	if before != nil && before.EmployeeID != "" {
		employeeID = before.EmployeeID
	}
	if employeeID != "" {
		ds, err := s.DB.Devices().Devices(ctx, t.ID, mdm.DeviceFilter{EmployeeID: employeeID})
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.State == mdm.DeviceRemoved {
				continue
			}
			policy := ""
			if d.WorkPolicyID != nil {
				policy = *d.WorkPolicyID
			}
			f.devices[employeeID] = append(f.devices[employeeID], Device{ID: d.ID, EmployeeID: employeeID, WorkPolicyID: policy, State: d.State})
		}
	}
	c := decide(before, after, f)
	if c.kind == changeNone {
		return nil
	}
	return s.applyChange(ctx, actor, t, cfg, SourceSCIM, c)
}
