package directory

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
)

// Why a person left: disabled in the directory, or no longer in it.
const (
	LeftDisabled = "disabled"
	LeftRemoved  = "removed"
)

// What a change does to a person.
type changeKind int

const (
	changeNone   changeKind = iota
	changeUpdate            // attributes only
	changeJoin              // new, or back after their work containers were removed
	changeReturn            // back within the grace period: nothing is removed
	changeLeave             // disabled or gone: invitations revoked, removal after the grace period
	changeGone              // disabled when first seen, with nothing of ours to end: kept as left
)

// Change is what one person's entry asks for, decided by plan and carried out by apply
// in one transaction.
type Change struct {
	kind   changeKind
	before *Person // nil for someone new
	after  *Entry  // nil for someone no longer in the directory
	// employeeID is the employee the person is, when one exists.
	employeeID string
	rule       *Rule
	invite     bool
	moves      []Move
	devices    int // the leaver's devices that will be removed
}

// Move is one device to move to the work policy of its employee's group.
type Move struct {
	DeviceID string `json:"device"`
	From     string `json:"from_policy"`
	To       string `json:"to_policy"`
}

// Plan is what a sync or a SCIM request makes of the directory: each person's change.
type Plan struct {
	changes []Change
	// Skipped are entries that cannot be used, with why.
	Skipped []Skipped
}

// Skipped is a directory entry left out of a sync.
type Skipped struct {
	ExternalID string `json:"external_id"`
	Reason     string `json:"reason"`
}

// facts are what a plan is made from besides the directory's entries.
type facts struct {
	people    map[string]Person   // by external ID
	rules     []Rule              // by priority
	employees map[string]string   // employee ID by e-mail address
	devices   map[string][]Device // not removed, by employee ID
}

// plan decides every person's change. With complete, entries are the whole directory:
// a known person missing from them has left.
func plan(entries []Entry, f facts, complete bool) Plan {
	var p Plan
	seen := make(map[string]bool, len(entries))
	emails := make(map[string]string, len(entries))
	for _, e := range entries {
		if seen[e.ExternalID] {
			p.Skipped = append(p.Skipped, Skipped{ExternalID: e.ExternalID, Reason: "the directory lists this ID twice"})
			continue
		}
		seen[e.ExternalID] = true
		if other, ok := emails[e.Email]; ok && e.Enabled {
			p.Skipped = append(p.Skipped, Skipped{ExternalID: e.ExternalID, Reason: fmt.Sprintf("the e-mail address is also that of %s", other)})
			continue
		}
		if e.Enabled {
			emails[e.Email] = e.ExternalID
		}
		var before *Person
		if known, ok := f.people[e.ExternalID]; ok {
			before = &known
		}
		if c := decide(before, &e, f); c.kind != changeNone {
			p.changes = append(p.changes, c)
		}
	}
	if complete {
		for _, id := range slices.Sorted(maps.Keys(f.people)) {
			if seen[id] {
				continue
			}
			known := f.people[id]
			if c := decide(&known, nil, f); c.kind != changeNone {
				p.changes = append(p.changes, c)
			}
		}
	}
	return p
}

// decide is one person's change: before as stored (nil when new), after as the directory
// says it now (nil when gone).
func decide(before *Person, after *Entry, f facts) Change {
	c := Change{before: before, after: after}
	email := ""
	switch {
	case after != nil:
		email = after.Email
	case before != nil:
		email = before.Email
	}
	if before != nil && before.EmployeeID != "" {
		c.employeeID = before.EmployeeID
	} else {
		c.employeeID = f.employees[email]
	}
	devices := f.devices[c.employeeID]
	if c.employeeID == "" {
		devices = nil
	}
	if after == nil || !after.Enabled {
		switch {
		case before != nil && before.LeftAt != nil:
			// Already left: only what the directory now says of them is kept, and that
			// someone disabled is now gone.
			if (after != nil && !sameEntry(*before, *after)) || (after == nil && before.LeftReason != LeftRemoved) {
				c.kind = changeUpdate
			}
		case before == nil && c.employeeID == "":
			c.kind = changeGone
		default:
			c.kind, c.devices = changeLeave, len(devices)
		}
		return c
	}
	c.rule = ruleFor(after.Groups, f.rules)
	switch {
	case before == nil || before.RemovedAt != nil:
		c.kind = changeJoin
	case before.LeftAt != nil:
		c.kind = changeReturn
	case !sameEntry(*before, *after):
		c.kind = changeUpdate
	}
	if c.rule == nil {
		return c
	}
	invited := before != nil && before.RemovedAt == nil && before.InvitedAt != nil
	c.invite = c.rule.AutoInvite && !invited && len(devices) == 0
	for _, d := range devices {
		if d.WorkPolicyID != c.rule.PolicyID && d.State != mdm.DeviceRemoving && d.State != mdm.DeviceRemoved {
			c.moves = append(c.moves, Move{DeviceID: d.ID, From: d.WorkPolicyID, To: c.rule.PolicyID})
		}
	}
	if c.kind == changeNone && (c.invite || len(c.moves) > 0) {
		c.kind = changeUpdate
	}
	return c
}

// sameEntry reports whether the stored person says what the entry says.
func sameEntry(p Person, e Entry) bool {
	return p.UserName == e.UserName && p.Email == e.Email && p.Name == e.Name && p.ManagedAppleID == e.ManagedAppleID &&
		p.GroupNames == joinGroups(e.Groups) && p.Enabled == e.Enabled
}

// ruleFor returns the rule of the lowest priority that one of the groups matches.
func ruleFor(groups []string, rules []Rule) *Rule {
	for i, r := range rules {
		for _, g := range groups {
			if r.matches(g) {
				return &rules[i]
			}
		}
	}
	return nil
}

// matches reports whether the group, as the directory names it, is the rule's: the whole
// name, or the value of its first part (the CN of a DN), in any case.
func (r Rule) matches(group string) bool {
	return strings.EqualFold(r.GroupName, group) || strings.EqualFold(r.GroupName, commonName(group))
}

// commonName returns the value of a DN's first part ("Kita" of "cn=Kita,ou=groups,…"),
// or "" for a name that is not a DN.
func commonName(dn string) string {
	_, rest, ok := strings.Cut(dn, "=")
	if !ok {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '\\':
			if i+1 < len(rest) {
				i++
				b.WriteByte(rest[i])
			}
		case ',', '+':
			return strings.TrimSpace(b.String())
		default:
			b.WriteByte(rest[i])
		}
	}
	return strings.TrimSpace(b.String())
}

// joinGroups is how a person's groups are stored: sorted, one per line.
func joinGroups(groups []string) string {
	gs := slices.Clone(groups)
	slices.Sort(gs)
	return strings.Join(slices.Compact(gs), "\n")
}

// Groups returns the person's groups.
func (p Person) Groups() []string {
	if p.GroupNames == "" {
		return nil
	}
	return strings.Split(p.GroupNames, "\n")
}

// NormalizeEntry checks an entry from outside (the LDAP reader, a SCIM client) and
// returns it as it is compared and stored: the e-mail addresses normalized, the groups
// sorted without repeats.
func NormalizeEntry(e Entry) (Entry, error) {
	if e.ExternalID == "" || len(e.ExternalID) > 256 || !utf8.ValidString(e.ExternalID) {
		return e, fmt.Errorf("%w: the directory's ID must be 1 to 256 characters", mdm.ErrInvalid)
	}
	email, err := mdm.NormalizeEmail(e.Email)
	if err != nil {
		return e, fmt.Errorf("e-mail address: %w", err)
	}
	e.Email = email
	if e.ManagedAppleID != "" {
		if e.ManagedAppleID, err = mdm.NormalizeEmail(e.ManagedAppleID); err != nil {
			return e, fmt.Errorf("managed Apple account: %w", err)
		}
	}
	e.Name, e.UserName = strings.TrimSpace(e.Name), strings.TrimSpace(e.UserName)
	if len(e.Name) > 200 || len(e.UserName) > 256 || !utf8.ValidString(e.Name) || !utf8.ValidString(e.UserName) {
		return e, fmt.Errorf("%w: the name must be at most 200 and the user name 256 characters of text", mdm.ErrInvalid)
	}
	if len(e.Groups) > 1000 {
		return e, fmt.Errorf("%w: more than 1,000 groups", mdm.ErrInvalid)
	}
	for _, g := range e.Groups {
		if g == "" || len(g) > 1024 || strings.ContainsAny(g, "\n\r") || !utf8.ValidString(g) {
			return e, fmt.Errorf("%w: a group name must be one line of 1 to 1,024 characters", mdm.ErrInvalid)
		}
	}
	e.Groups = strings.Split(joinGroups(e.Groups), "\n")
	if len(e.Groups) == 1 && e.Groups[0] == "" {
		e.Groups = nil
	}
	return e, nil
}
