package mdm

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// Store is everything the domain keeps. Every method that touches a tenant's rows takes
// the tenant's ID and never sees or changes another tenant's rows: a row of another tenant
// is ErrNotFound, and a reference to one is refused.
type Store interface {
	// Atomic runs fn with a store whose calls all belong to one transaction: all of them
	// take effect, or none does.
	Atomic(ctx context.Context, fn func(tx Store) error) error

	InstallationStore
	TenantStore
	AdminStore
	AdminLifecycleStore
	EmployeeStore
	DeviceStore
	DeviceStatusStore
	PolicyStore
	CommandStore
	AuditStore
	JobStore
	TokenStore
	ConsoleStore
	SessionStore
	DataProtectionStore
	RetentionStore
	AuditPruneStore
	InactivityStore
	ReportStore
	ComplianceStore
	VerdictStore
}

// InstallationStore keeps settings of the whole installation.
type InstallationStore interface {
	InstallationSetting(ctx context.Context, name string) ([]byte, error)
	// CreateInstallationSetting stores a setting that does not exist yet; ErrConflict if it does.
	CreateInstallationSetting(ctx context.Context, name string, value []byte) error
}

// TenantStore keeps tenants.
type TenantStore interface {
	CreateTenant(ctx context.Context, t *Tenant) error
	TenantByName(ctx context.Context, name string) (Tenant, error)
	Tenants(ctx context.Context) ([]Tenant, error)
}

// AdminStore keeps administrators.
type AdminStore interface {
	CreateAdmin(ctx context.Context, tenantID string, a *Admin) error
	AdminByEmail(ctx context.Context, tenantID, email string) (Admin, error)
	Admins(ctx context.Context, tenantID string) ([]Admin, error)
}

// EmployeeStore reads employees; the enrolment creates them.
type EmployeeStore interface {
	EmployeeByEmail(ctx context.Context, tenantID, email string) (Employee, error)
	Employee(ctx context.Context, tenantID, id string) (Employee, error)
}

// DeviceStore keeps devices.
type DeviceStore interface {
	CreateDevice(ctx context.Context, tenantID string, d *Device) error
	Device(ctx context.Context, tenantID, id string) (Device, error)
	Devices(ctx context.Context, tenantID string, f DeviceFilter) ([]Device, error)
	// SetDeviceState moves a device from state `from` to state `to`; it fails with
	// ErrConflict when the device is no longer in state `from`.
	SetDeviceState(ctx context.Context, tenantID, id string, from, to DeviceState, at time.Time) error
}

// PolicyStore keeps work policies with their app assignments.
type PolicyStore interface {
	CreateWorkPolicy(ctx context.Context, tenantID string, p *WorkPolicy) error
	WorkPolicy(ctx context.Context, tenantID, id string) (WorkPolicy, error)
	WorkPolicies(ctx context.Context, tenantID string) ([]WorkPolicy, error)
	// UpdateWorkPolicy replaces the policy and its apps if it is still at p.Version, and
	// raises p.Version by one; otherwise it fails with ErrConflict.
	UpdateWorkPolicy(ctx context.Context, tenantID string, p *WorkPolicy) error
	// DefaultWorkPolicy returns the tenant's default policy with its apps; ErrNotFound
	// when it has none.
	DefaultWorkPolicy(ctx context.Context, tenantID string) (WorkPolicy, error)
	// SetDefaultWorkPolicy makes the policy the tenant's only default.
	SetDefaultWorkPolicy(ctx context.Context, tenantID, id string) error
	// SetDeviceWorkPolicy gives the device the policy.
	SetDeviceWorkPolicy(ctx context.Context, tenantID, deviceID, policyID string, at time.Time) error
}

// CommandStore keeps commands.
type CommandStore interface {
	CreateCommand(ctx context.Context, tenantID string, c *Command) error
	Command(ctx context.Context, tenantID, id string) (Command, error)
	Commands(ctx context.Context, tenantID, deviceID string) ([]Command, error)
	// SetCommandState moves a command from `from` to `to`; it fails with ErrConflict when
	// the command is no longer in state `from`, so a command is delivered at most once.
	SetCommandState(ctx context.Context, tenantID, id string, from, to CommandState, errText string, at time.Time) error
}

// AuditStore keeps the audit trail. It has no way to change or remove an event.
type AuditStore interface {
	// AppendAudit adds an event at the end of the tenant's chain. Called inside Atomic,
	// the event is written in the same transaction as the change it records.
	AppendAudit(ctx context.Context, tenantID string, at time.Time, r audit.Record) (audit.Event, error)
	// OnAuditAppended makes h run in the transaction of every event appended from now on,
	// whichever component appends it; the service makes its checkpoints there.
	OnAuditAppended(h AuditHook)
	// AuditEvents calls fn for the tenant's events in order of sequence, starting after
	// afterSeq, without holding them all in memory.
	AuditEvents(ctx context.Context, tenantID string, afterSeq int64, fn func(audit.Event) error) error
	// AuditHead returns the position and hash of the tenant's last event.
	AuditHead(ctx context.Context, tenantID string) (audit.ChainHead, error)
	// FilteredAuditEvents calls fn for the tenant's events that f selects, in order of
	// sequence, without holding them all in memory.
	FilteredAuditEvents(ctx context.Context, tenantID string, f AuditFilter, fn func(audit.Event) error) error

	// AppendCheckpoint stores a signed checkpoint of the tenant's chain. Like events,
	// checkpoints are never changed or removed.
	AppendCheckpoint(ctx context.Context, tenantID string, c *audit.Checkpoint) error
	// LatestCheckpoint returns the tenant's newest checkpoint at or before event seq;
	// ErrNotFound when there is none.
	LatestCheckpoint(ctx context.Context, tenantID string, seq int64) (audit.Checkpoint, error)
	// AuditCheckpoints calls fn for the tenant's checkpoints in order of sequence.
	AuditCheckpoints(ctx context.Context, tenantID string, fn func(audit.Checkpoint) error) error
}

// AuditHook runs in the transaction of an appended event, after the event, with the
// transaction's store; an error undoes the event and the change it records.
type AuditHook func(ctx context.Context, tx Store, e audit.Event) error

// Sealer encrypts secrets before they are stored, with a key kept outside the database.
// The purpose binds a sealed value to its use, so that one secret cannot be passed off as
// another.
type Sealer interface {
	Seal(purpose string, plaintext []byte) ([]byte, error)
	Open(purpose string, sealed []byte) ([]byte, error)
}
