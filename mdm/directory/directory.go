// Package directory brings a tenant's employees from its directory: an LDAP or Active
// Directory read on a schedule, or SCIM provisioning pushed by an identity provider. It
// turns what the directory says into joiners (invited when their group's rule says so),
// movers (devices moved to their group's work policy) and leavers (invitations revoked at
// once; work containers removed and certificates revoked after the tenant's grace period,
// with IT told first).
//
// It owns the tables directory_configs (how to read the tenant's directory, the bind
// password sealed), directory_rules (group → work policy, automatic invitation) and
// directory_people (the directory's view of each employee). It acts on invitations and
// devices only through the small interfaces Enrolment and Policies, which the wiring
// answers with the enrolment and work-policy sub-domains' steps in the caller's
// transaction, and through the core's removal.
package directory

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Sources of a person's entry: the scheduled LDAP read, or SCIM provisioning.
const (
	SourceLDAP = "ldap"
	SourceSCIM = "scim"
)

// Entry is one person as the directory says it now, parsed and checked at the edge (the
// LDAP reader, the SCIM endpoint).
type Entry struct {
	// ExternalID is the directory's own, stable name for the person (objectGUID,
	// entryUUID, the SCIM id).
	ExternalID     string
	UserName       string
	Email          string
	Name           string
	ManagedAppleID string
	// Groups are the groups the person belongs to, as the directory names them.
	Groups  []string
	Enabled bool
}

// Person is the directory's view of one employee as last stored.
type Person struct {
	TenantID       string
	ExternalID     string
	Source         string
	UserName       string
	Email          string
	Name           string
	ManagedAppleID string
	GroupNames     string // the groups, sorted, one per line
	Enabled        bool
	// EmployeeID is the employee the person became once invited or found by address.
	EmployeeID string
	InvitedAt  *time.Time
	// LeftAt is when the person was disabled or removed in the directory, and LeftReason
	// which of the two; RemovedAt when their work containers were removed after the grace
	// period.
	LeftAt     *time.Time
	LeftReason string
	MailedAt   *time.Time
	RemovedAt  *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Rule says what membership of a group means.
type Rule struct {
	TenantID string
	// GroupName matches a group by its whole name (a DN) or its first part (the CN).
	GroupName string `gorm:"column:group_name"`
	// Priority orders the rules: a person in several groups follows the lowest.
	Priority int
	PolicyID string
	// AutoInvite invites a new member of the group without waiting for IT.
	AutoInvite bool
}

// Device is what the planner needs of one of an employee's devices.
type Device struct {
	ID           string
	EmployeeID   string
	WorkPolicyID string
	State        mdm.DeviceState
}

// Store is what the directory keeps, and what it reads of the employees and devices it
// acts on. Every method is scoped by the tenant.
type Store interface {
	// Config returns the tenant's directory settings; mdm.ErrNotFound without any.
	Config(ctx context.Context, tenantID string) (Config, error)
	SaveConfig(ctx context.Context, c *Config) error
	// SetSyncResult records how the last sync went.
	SetSyncResult(ctx context.Context, tenantID string, at time.Time, result, errText string) error
	// Configs returns every tenant's settings.
	Configs(ctx context.Context) ([]Config, error)

	Rules(ctx context.Context, tenantID string) ([]Rule, error)
	// ReplaceRules replaces the tenant's rules with rs.
	ReplaceRules(ctx context.Context, tenantID string, rs []Rule) error

	// People returns the tenant's people of the source (all with source empty).
	People(ctx context.Context, tenantID, source string) ([]Person, error)
	Person(ctx context.Context, tenantID, externalID string) (Person, error)
	// PersonOf returns the person who became the employee; ErrNotFound for none.
	PersonOf(ctx context.Context, tenantID, employeeID string) (Person, error)
	// SavePerson creates or replaces a person.
	SavePerson(ctx context.Context, p *Person) error
	// DeletePerson forgets a person whose removal is done.
	DeletePerson(ctx context.Context, tenantID, externalID string) error
	// MarkRemoved sets removed_at of a leaver whose grace period ended; ErrConflict when
	// it is set already or the person came back meanwhile.
	MarkRemoved(ctx context.Context, tenantID, externalID string, at time.Time) error
	// MarkMailed sets mailed_at of a leaver; ErrConflict when it is set already.
	MarkMailed(ctx context.Context, tenantID, externalID string, at time.Time) error
	// DueLeavers returns up to limit people who left before `before` and whose work
	// containers are not removed yet.
	DueLeavers(ctx context.Context, tenantID string, before time.Time, limit int) ([]Person, error)

	// EmployeeIDs returns the tenant's employees' IDs by e-mail address.
	EmployeeIDs(ctx context.Context, tenantID string) (map[string]string, error)
	// Devices returns the tenant's devices that are not removed.
	Devices(ctx context.Context, tenantID string) ([]Device, error)
}

// Invitee is whom a joiner's invitation is for.
type Invitee struct {
	Email, Name, ManagedAppleID string
}

// Enrolment is what the directory asks of the invitations, in the caller's transaction.
type Enrolment interface {
	// Invite invites the person (any platform the tenant has set up), creating the
	// employee if new, and returns the employee's ID.
	Invite(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, p Invitee) (string, error)
	// RevokePending revokes the employee's pending invitations and returns how many.
	RevokePending(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, employeeID string) (int, error)
}

// Policies is what the directory asks of the work policies, in the caller's transaction.
type Policies interface {
	// Move moves the device to the policy, queueing its platform's work.
	Move(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, deviceID, policyID string) error
}

// Contacts answers whom at IT the leavers' notices go to.
type Contacts interface {
	// ITContact returns the tenant's IT contact's address; empty when none is set.
	ITContact(ctx context.Context, t mdm.Tenant) (string, error)
}

// Service keeps the tenants' directory settings and rules, and applies what the
// directory says.
type Service struct {
	mdm.Domain[Store]
	enrolment Enrolment
	policies  Policies
	contacts  Contacts
	source    Source
}

// New returns the directory on core's store db, whose tables tables opens, acting
// through enrolment and policies and telling the IT contact contacts names.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store, enrolment Enrolment, policies Policies, contacts Contacts) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables), enrolment: enrolment, policies: policies, contacts: contacts}
}
