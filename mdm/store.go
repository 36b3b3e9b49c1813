package mdm

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// Store is the one transaction as the core sees it: what every change needs (Atomic,
// its audit event, its jobs) and, behind one accessor each, the tables the root of the
// core keeps, so that no single type carries every table's methods. Every method that
// touches a tenant's rows takes the tenant's ID and never sees or changes another
// tenant's rows: a row of another tenant is ErrNotFound, and a reference to one is
// refused.
type Store interface {
	// Atomic runs fn with a store whose calls all belong to one transaction: all of them
	// take effect, or none does.
	Atomic(ctx context.Context, fn func(tx Store) error) error

	AuditStore
	JobStore

	// Tenants returns the tenants and the installation's settings, in this store's
	// transaction.
	Tenants() TenantStore
	// Devices returns the devices and their employees, in this store's transaction.
	Devices() DeviceStore
	// Commands returns the devices' commands, in this store's transaction.
	Commands() CommandStore
	// Policies returns the work policies to apply, in this store's transaction.
	Policies() PolicyStore
	// Trail returns the audit trail to read, in this store's transaction.
	Trail() TrailReader
}

// TenantStore keeps tenants and the settings of the whole installation.
type TenantStore interface {
	CreateTenant(ctx context.Context, t *Tenant) error
	TenantByID(ctx context.Context, id string) (Tenant, error)
	TenantByName(ctx context.Context, name string) (Tenant, error)
	Tenants(ctx context.Context) ([]Tenant, error)
	// SetLostModeText stores what the tenant's phones show in lost mode.
	SetLostModeText(ctx context.Context, tenantID string, t LostModeText) error

	InstallationSetting(ctx context.Context, name string) ([]byte, error)
	// CreateInstallationSetting stores a setting that does not exist yet; ErrConflict if it does.
	CreateInstallationSetting(ctx context.Context, name string, value []byte) error
	// SetInstallationSetting stores a setting, replacing any value it had.
	SetInstallationSetting(ctx context.Context, name string, value []byte) error
	// ChangeInstallationSetting stores a setting unless it has the value already and
	// reports whether it stored it: of transactions that store the same value at once, one
	// alone is told it did.
	ChangeInstallationSetting(ctx context.Context, name string, value []byte) (bool, error)
}

// DeviceStore keeps devices and reads their employees (the enrolment creates those), the
// pages the dashboard and the JSON API list and the counts they show.
type DeviceStore interface {
	CreateDevice(ctx context.Context, tenantID string, d *Device) error
	Device(ctx context.Context, tenantID, id string) (Device, error)
	Devices(ctx context.Context, tenantID string, f DeviceFilter) ([]Device, error)
	// DeviceBatch returns up to limit of the tenant's devices that match f, with an ID
	// after afterID, in the order of their IDs: the pages of work that goes through many
	// devices (see EachDeviceBatch).
	DeviceBatch(ctx context.Context, tenantID string, f DeviceFilter, afterID string, limit int) ([]Device, error)
	// EmployeeDeviceBatch returns the tenant's devices that match f of the next employees
	// (at most that many) with an ID after afterEmployeeID who have such devices, in the
	// order of their employee IDs: the pages of work that merges devices with other rows
	// kept by employee.
	EmployeeDeviceBatch(ctx context.Context, tenantID string, f DeviceFilter, afterEmployeeID string, employees int) ([]Device, error)
	// DevicesByPlatformIDs returns the tenant's devices that the platform calls by one of
	// the IDs; IDs that name no device are left out.
	DevicesByPlatformIDs(ctx context.Context, tenantID string, platform Platform, platformIDs []string) ([]Device, error)
	// SetDeviceState moves a device from state `from` to state `to`; it fails with
	// ErrConflict when the device is no longer in state `from`.
	SetDeviceState(ctx context.Context, tenantID, id string, from, to DeviceState, at time.Time) error
	// SetDeviceVerdicts records the verdicts of the tenant's devices, by device ID.
	SetDeviceVerdicts(ctx context.Context, tenantID string, verdicts map[string]Verdict) error
	// SetHardwareIDs records a device's hardware identifiers; only RecordHardwareIDs
	// calls it, after the privacy rule of ownership allowed it.
	SetHardwareIDs(ctx context.Context, tenantID, id string, h HardwareIDs, at time.Time) error

	EmployeeByEmail(ctx context.Context, tenantID, email string) (Employee, error)
	Employee(ctx context.Context, tenantID, id string) (Employee, error)

	// DevicePage returns one page of the tenant's devices that match q in q's order, each
	// with its employee's address and name and its work policy's name.
	DevicePage(ctx context.Context, tenantID string, q DeviceQuery) ([]DeviceListing, error)
	// DeviceTotal counts the tenant's devices that match q's filters and search.
	DeviceTotal(ctx context.Context, tenantID string, q DeviceQuery) (int64, error)
	// EmployeePage returns one page of the tenant's employees, newest first.
	EmployeePage(ctx context.Context, tenantID string, q EmployeeQuery) ([]Employee, error)
	// DeviceCounts counts the tenant's devices by platform, state and compliance.
	DeviceCounts(ctx context.Context, tenantID string) ([]DeviceCount, error)
}

// PolicyStore reads work policies for the parts of the core that apply a policy they do
// not keep (the dispatcher, enrolment, compliance); the policies themselves are kept by
// the workpolicy sub-domain.
type PolicyStore interface {
	WorkPolicy(ctx context.Context, tenantID, id string) (WorkPolicy, error)
	// DefaultWorkPolicy returns the tenant's default policy with its apps; ErrNotFound
	// when it has none.
	DefaultWorkPolicy(ctx context.Context, tenantID string) (WorkPolicy, error)
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

// AuditStore is the audit trail as every sub-domain sees it: each appends the events of
// its changes in their transaction. It has no way to change or remove an event; the rest
// of the trail (checkpoints, prunes, verification) is mdm/trail's.
type AuditStore interface {
	// AppendAudit adds an event at the end of the tenant's chain. Called inside Atomic,
	// the event is written in the same transaction as the change it records.
	AppendAudit(ctx context.Context, tenantID string, at time.Time, r audit.Record) (audit.Event, error)
	// OnAuditAppended makes h run in the transaction of every event appended from now on,
	// whichever component appends it, after the hooks added before; the trail makes its
	// checkpoints there and the SIEM feed queues its delivery.
	OnAuditAppended(h AuditHook)
}

// TrailReader is the audit trail as a report of another sub-domain reads it in its own
// transaction (the Art. 15 report).
type TrailReader interface {
	// FilteredAuditEvents calls fn for the tenant's events that f selects, in order of
	// sequence, without holding them all in memory.
	FilteredAuditEvents(ctx context.Context, tenantID string, f AuditFilter, fn func(audit.Event) error) error
	// AuditPrunes returns the tenant's prunes of the trail, oldest first.
	AuditPrunes(ctx context.Context, tenantID string) ([]AuditPrune, error)
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
