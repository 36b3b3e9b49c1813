package trail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Accounts names the administrators and API tokens that act in the trail. The access
// sub-domain keeps them; domain.New hands them to the trail with UseAccounts.
type Accounts interface {
	// Accounts returns the tenant's administrators and API tokens by their reference in
	// the trail ("admin:<id>", "token:<id>"), each with its name and role.
	Accounts(ctx context.Context, t mdm.Tenant) (map[string]audit.Party, error)
}

// UseAccounts makes Describe name administrators and API tokens through a; without it
// they read as unknown.
func (s *Service) UseAccounts(a Accounts) { s.accounts = a }

// Describe turns events into statements a person reads: each party with the name its
// owner gives it now (the employee's name, the device's platform and owner, the policy's
// name, the administrator's address and role), or marked as removed when it is gone. The
// names are looked up once per call, whatever the number of events naming them.
func (s *Service) Describe(ctx context.Context, t mdm.Tenant, events []audit.Event) ([]audit.Statement, error) {
	n := namer{s: s, t: t, known: map[string]audit.Party{}}
	if s.accounts != nil && len(events) > 0 {
		accounts, err := s.accounts.Accounts(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("name the accounts of %s: %w", t.Name, err)
		}
		n.accounts = accounts
	}
	if err := n.prefetch(ctx, events); err != nil {
		return nil, err
	}
	out := make([]audit.Statement, len(events))
	for i, e := range events {
		actor, err := n.party(ctx, e.Actor, e)
		if err != nil {
			return nil, err
		}
		subject, err := n.party(ctx, e.Subject, e)
		if err != nil {
			return nil, err
		}
		out[i] = audit.Statement{Event: e, Actor: actor, Subject: subject, Reason: e.Field("reason")}
	}
	return out, nil
}

// namer looks up the parties of one call to Describe.
type namer struct {
	s        *Service
	t        mdm.Tenant
	accounts map[string]audit.Party
	known    map[string]audit.Party
}

// manyAtOnce reads devices and employees by many IDs in one query; the store's devices
// have it beside mdm.DeviceStore.
type manyAtOnce interface {
	DevicesByIDs(ctx context.Context, tenantID string, ids []string) ([]mdm.Device, error)
	EmployeesByIDs(ctx context.Context, tenantID string, ids []string) ([]mdm.Employee, error)
}

// prefetch names the devices and employees the events name, and the devices' owners, in
// two queries, so that a page of fifty events about fifty phones does not ask a hundred
// times.
func (n *namer) prefetch(ctx context.Context, events []audit.Event) error {
	store, ok := n.s.DB.Devices().(manyAtOnce)
	if !ok {
		return errors.New("the store cannot read devices and employees by many IDs")
	}
	var deviceIDs, employeeIDs []string
	for _, e := range events {
		for _, ref := range []string{e.Actor, e.Subject} {
			switch p := audit.PartyOf(ref); p.Kind {
			case audit.Device:
				deviceIDs = append(deviceIDs, p.ID)
			case audit.Employee:
				employeeIDs = append(employeeIDs, p.ID)
			}
		}
		if id := e.Field("employee"); id != "" {
			employeeIDs = append(employeeIDs, id)
		}
	}
	devices, err := store.DevicesByIDs(ctx, n.t.ID, unique(deviceIDs))
	if err != nil {
		return fmt.Errorf("name the devices of the audit trail: %w", err)
	}
	for _, d := range devices {
		employeeIDs = append(employeeIDs, d.EmployeeID)
	}
	employees, err := store.EmployeesByIDs(ctx, n.t.ID, unique(employeeIDs))
	if err != nil {
		return fmt.Errorf("name the employees of the audit trail: %w", err)
	}
	names := map[string]string{}
	for _, emp := range employees {
		names[emp.ID] = employeeName(emp)
	}
	for _, id := range unique(employeeIDs) {
		name, ok := names[id]
		n.known[audit.Employee.Of(id)] = audit.Party{Kind: audit.Employee, ID: id, Name: name, Removed: !ok}
	}
	found := map[string]bool{}
	for _, d := range devices {
		found[d.ID] = true
		n.known[audit.Device.Of(d.ID)] = audit.Party{Kind: audit.Device, ID: d.ID, Platform: string(d.Platform), Owner: names[d.EmployeeID]}
	}
	for _, id := range unique(deviceIDs) {
		if !found[id] {
			n.known[audit.Device.Of(id)] = audit.Party{Kind: audit.Device, ID: id, Removed: true}
		}
	}
	return nil
}

// unique returns the distinct non-empty strings of ids, sorted.
func unique(ids []string) []string {
	out := slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// party names the party ref refers to; e is the event that names it, whose details say
// what its owner's record may no longer say (the platform of a deleted device).
func (n *namer) party(ctx context.Context, ref string, e audit.Event) (audit.Party, error) {
	p, ok := n.known[ref]
	if !ok {
		var err error
		if p, err = n.lookUp(ctx, ref, e); err != nil {
			return audit.Party{}, err
		}
		n.known[ref] = p
	}
	if p.Kind == audit.Device && p.Platform == "" {
		p.Platform = e.Field("platform")
	}
	if p.Kind == audit.Invitation && p.Owner == "" {
		owner, err := n.party(ctx, audit.Employee.Of(e.Field("employee")), e)
		if err != nil {
			return audit.Party{}, err
		}
		p.Owner = owner.Name
	}
	return p, nil
}

func (n *namer) lookUp(ctx context.Context, ref string, e audit.Event) (audit.Party, error) {
	p := audit.PartyOf(ref)
	if p.ID == "" && p.Kind != audit.ActorSystem {
		return p, nil
	}
	gone := func(err error) (audit.Party, error) {
		if errors.Is(err, mdm.ErrNotFound) {
			p.Removed = true
			return p, nil
		}
		return audit.Party{}, fmt.Errorf("name %s of audit event %d: %w", ref, e.Seq, err)
	}
	// Devices and employees are named by prefetch, all at once.
	switch p.Kind {
	case audit.Admin, audit.Token:
		// Accounts are disabled or revoked, never deleted: one not found belongs to no
		// tenant (the provider's token) and stays without a name.
		a := n.accounts[ref]
		p.Name, p.Role = a.Name, a.Role
	case audit.WorkPolicy:
		wp, err := n.s.DB.Policies().WorkPolicy(ctx, n.t.ID, p.ID)
		if err != nil {
			return gone(err)
		}
		p.Name = wp.Name
	case audit.Tenant:
		if p.ID != n.t.ID {
			p.Removed = true
			return p, nil
		}
		p.Name = n.t.DisplayName
		if p.Name == "" {
			p.Name = n.t.Name
		}
	}
	return p, nil
}

// employeeName is how an employee is named to a reader: by name, or by address when the
// directory gave no name.
func employeeName(e mdm.Employee) string {
	if e.Name != "" {
		return e.Name
	}
	return e.Email
}

// Actors returns who may act in the tenant's trail by name, for a filter to offer: the
// administrators and API tokens, sorted by name.
func (s *Service) Actors(ctx context.Context, t mdm.Tenant) ([]audit.Party, error) {
	if s.accounts == nil {
		return nil, nil
	}
	accounts, err := s.accounts.Accounts(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("name the accounts of %s: %w", t.Name, err)
	}
	out := slices.Collect(maps.Values(accounts))
	slices.SortFunc(out, func(a, b audit.Party) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
