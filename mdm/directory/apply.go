package directory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Result is what a sync did, or with a dry run would do.
type Result struct {
	Joiners []Joiner `json:"joiners"`
	Movers  []Mover  `json:"movers"`
	Leavers []Leaver `json:"leavers"`
	// Skipped are entries of the directory that could not be used; Failed are changes
	// that could not be made (each tried again at the next sync).
	Skipped []Skipped `json:"skipped,omitempty"`
	Failed  []Skipped `json:"failed,omitempty"`
	DryRun  bool      `json:"dry_run"`
}

// Joiner is someone new in the directory, or back after their work containers were
// removed (Returning: back within the grace period, so nothing is removed).
type Joiner struct {
	ExternalID string   `json:"external_id"`
	Email      string   `json:"email"`
	Name       string   `json:"name"`
	Groups     []string `json:"groups"`
	PolicyID   string   `json:"policy,omitempty"`
	Invited    bool     `json:"invited"`
	Returning  bool     `json:"returning,omitempty"`
}

// Mover is a device moved to the work policy of its employee's group.
type Mover struct {
	ExternalID string `json:"external_id"`
	Email      string `json:"email"`
	Move
}

// Leaver is someone disabled in or removed from the directory: their invitations are
// revoked at once, their devices' work containers removed at Due.
type Leaver struct {
	ExternalID string    `json:"external_id"`
	Email      string    `json:"email"`
	Reason     string    `json:"reason"`
	Devices    int       `json:"devices"`
	Due        time.Time `json:"removal_due"`
}

// Apply makes the changes that entries (checked with NormalizeEntry) ask for, each
// person in a transaction of its own with its audit events; with complete, the entries
// are the source's whole directory and a known person of the source missing from them
// has left. With dryRun it only reports what it would do.
func (s *Service) Apply(ctx context.Context, actor string, t mdm.Tenant, source string, entries []Entry, complete, dryRun bool) (Result, error) {
	cfg, err := s.TenantConfig(ctx, t)
	if err != nil {
		return Result{}, err
	}
	f, err := s.facts(ctx, t.ID, source)
	if err != nil {
		return Result{}, err
	}
	p := plan(entries, f, complete)
	r := Result{Joiners: []Joiner{}, Movers: []Mover{}, Leavers: []Leaver{}, Skipped: p.Skipped, DryRun: dryRun}
	now := s.Settings.Now()
	for _, c := range p.changes {
		if !dryRun {
			if err := s.applyChange(ctx, actor, t, cfg, source, c); err != nil {
				r.Failed = append(r.Failed, Skipped{ExternalID: c.externalID(), Reason: err.Error()})
				continue
			}
		}
		r.add(c, now, cfg.GraceDays)
	}
	return r, nil
}

// facts reads what a plan is made from, in a handful of queries whatever the size.
func (s *Service) facts(ctx context.Context, tenantID, source string) (facts, error) {
	tables := s.Tables(s.DB)
	f := facts{people: map[string]Person{}, devices: map[string][]Device{}}
	people, err := tables.People(ctx, tenantID, source)
	if err != nil {
		return f, fmt.Errorf("read the directory's people: %w", err)
	}
	for _, p := range people {
		f.people[p.ExternalID] = p
	}
	if f.rules, err = tables.Rules(ctx, tenantID); err != nil {
		return f, fmt.Errorf("read the directory's rules: %w", err)
	}
	if f.employees, err = tables.EmployeeIDs(ctx, tenantID); err != nil {
		return f, fmt.Errorf("read the employees: %w", err)
	}
	devices, err := tables.Devices(ctx, tenantID)
	if err != nil {
		return f, fmt.Errorf("read the devices: %w", err)
	}
	for _, d := range devices {
		f.devices[d.EmployeeID] = append(f.devices[d.EmployeeID], d)
	}
	return f, nil
}

// add reports a change made (or, in a dry run, to be made).
func (r *Result) add(c Change, now time.Time, graceDays int) {
	switch c.kind {
	case changeJoin, changeReturn:
		j := Joiner{ExternalID: c.after.ExternalID, Email: c.after.Email, Name: c.after.Name, Groups: c.after.Groups,
			Invited: c.invite, Returning: c.kind == changeReturn}
		if c.rule != nil {
			j.PolicyID = c.rule.PolicyID
		}
		r.Joiners = append(r.Joiners, j)
	case changeLeave:
		r.Leavers = append(r.Leavers, Leaver{ExternalID: c.externalID(), Email: c.email(), Reason: c.leftReason(),
			Devices: c.devices, Due: now.AddDate(0, 0, graceDays)})
	}
	for _, m := range c.moves {
		r.Movers = append(r.Movers, Mover{ExternalID: c.externalID(), Email: c.email(), Move: m})
	}
}

func (c Change) externalID() string {
	if c.after != nil {
		return c.after.ExternalID
	}
	return c.before.ExternalID
}

func (c Change) email() string {
	if c.after != nil {
		return c.after.Email
	}
	return c.before.Email
}

func (c Change) leftReason() string {
	if c.after == nil {
		return LeftRemoved
	}
	return LeftDisabled
}

// errChanged refuses a change planned on a person that another sync or SCIM request
// changed meanwhile; the next sync plans it again.
var errChanged = fmt.Errorf("%w: the person was changed meanwhile; the next sync takes it up", mdm.ErrConflict)

// applyChange makes one person's change, with the invitation, moves, revocations and
// audit events it needs, in one transaction.
func (s *Service) applyChange(ctx context.Context, actor string, t mdm.Tenant, cfg Config, source string, c Change) error {
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		tables := s.Tables(tx)
		p, err := tables.Person(ctx, t.ID, c.externalID())
		switch {
		case errors.Is(err, mdm.ErrNotFound) && c.before == nil:
			p = Person{TenantID: t.ID, ExternalID: c.after.ExternalID, Source: source, CreatedAt: at}
		case err != nil:
			return err
		case c.before == nil || !p.UpdatedAt.Equal(c.before.UpdatedAt):
			return errChanged
		}
		if c.after != nil {
			e := c.after
			p.UserName, p.Email, p.Name, p.ManagedAppleID = e.UserName, e.Email, e.Name, e.ManagedAppleID
			p.GroupNames, p.Enabled = joinGroups(e.Groups), e.Enabled
		}
		if c.after == nil && p.LeftAt != nil {
			p.LeftReason = LeftRemoved
		}
		p.Source, p.UpdatedAt = source, at
		if c.employeeID != "" {
			p.EmployeeID = c.employeeID
		}
		if err := s.act(ctx, tx, at, actor, t, cfg, c, &p); err != nil {
			return err
		}
		return tables.SavePerson(ctx, &p)
	})
}

// act carries out what the change asks beyond storing the person.
func (s *Service) act(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, cfg Config, c Change, p *Person) error {
	switch c.kind {
	case changeJoin:
		p.LeftAt, p.LeftReason, p.MailedAt, p.RemovedAt, p.InvitedAt = nil, "", nil, nil, nil
	case changeReturn:
		p.LeftAt, p.LeftReason, p.MailedAt = nil, "", nil
	case changeGone:
		p.LeftAt, p.LeftReason, p.RemovedAt = &at, c.leftReason(), &at
		return nil
	case changeLeave:
		return s.leave(ctx, tx, at, actor, t, cfg, c, p)
	}
	if c.invite {
		id, err := s.enrolment.Invite(ctx, tx, at, actor, t, Invitee{Email: p.Email, Name: p.Name, ManagedAppleID: p.ManagedAppleID})
		if err != nil {
			return fmt.Errorf("invite %s: %w", p.Email, err)
		}
		p.EmployeeID, p.InvitedAt = id, &at
	}
	if c.kind == changeJoin || c.kind == changeReturn {
		action := map[changeKind]audit.Action{changeJoin: audit.DirectoryJoiner, changeReturn: audit.DirectoryReturner}[c.kind]
		details := map[string]any{"external_id": p.ExternalID, "email": p.Email, "groups": p.Groups(), "invited": c.invite}
		if c.rule != nil {
			details["policy"] = c.rule.PolicyID
		}
		if err := s.record(ctx, tx, at, actor, t, p, action, details); err != nil {
			return err
		}
	}
	if len(c.moves) == 0 {
		return nil
	}
	for _, m := range c.moves {
		if err := s.policies.Move(ctx, tx, at, actor, t, m.DeviceID, m.To); err != nil {
			return fmt.Errorf("move device %s: %w", m.DeviceID, err)
		}
	}
	return s.record(ctx, tx, at, actor, t, p, audit.DirectoryMover,
		map[string]any{"external_id": p.ExternalID, "groups": p.Groups(), "policy": c.rule.PolicyID, "devices": len(c.moves)})
}

// leave records that the person left: their pending invitations are revoked now, IT is
// told, and their work containers are removed once the grace period has passed.
func (s *Service) leave(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, cfg Config, c Change, p *Person) error {
	p.LeftAt, p.LeftReason, p.MailedAt, p.RemovedAt, p.Enabled = &at, c.leftReason(), nil, nil, false
	revoked := 0
	if p.EmployeeID != "" {
		n, err := s.enrolment.RevokePending(ctx, tx, at, actor, t, p.EmployeeID)
		if err != nil {
			return fmt.Errorf("revoke the invitations of %s: %w", p.Email, err)
		}
		revoked = n
	}
	err := s.record(ctx, tx, at, actor, t, p, audit.DirectoryLeaver, map[string]any{"external_id": p.ExternalID, "email": p.Email,
		"reason": p.LeftReason, "invitations_revoked": revoked, "devices": c.devices, "removal_due": at.AddDate(0, 0, cfg.GraceDays)})
	if err != nil || !s.Settings.MailNotices || c.devices == 0 {
		return err
	}
	return tx.EnqueueJob(ctx, LeaverMailJob{TenantID: t.ID, ExternalID: p.ExternalID}, mdm.JobOptions{})
}

// record appends the person's audit event: about the employee once there is one.
func (s *Service) record(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, p *Person, action audit.Action, details map[string]any) error {
	subject := audit.Tenant.Of(t.ID)
	if p.EmployeeID != "" {
		subject = audit.Employee.Of(p.EmployeeID)
	}
	_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: action, Subject: subject, Details: audit.Fields(details)})
	return err
}
