package export

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/trail"
)

// Manifest describes an export. It is signed, so it says everything a reader must be able
// to rely on: what the files are, what part of which trail they hold, and up to where the
// trail stood when they were written.
type Manifest struct {
	Version    int               `json:"manifest_version"`
	Format     trail.AuditFormat `json:"format"`
	Tenant     Tenant            `json:"tenant"`
	ExportedAt time.Time         `json:"exported_at"`
	ExportedBy string            `json:"exported_by"`
	TimeRange  TimeRange         `json:"time_range"`
	Employee   *Employee         `json:"employee,omitempty"`
	// Device, Actor and Actions are the further filters of an export from the dashboard;
	// absent when the export was not narrowed by them.
	Device     string         `json:"device,omitempty"`
	Actor      string         `json:"actor,omitempty"`
	Actions    []audit.Action `json:"actions,omitempty"`
	Events     int64          `json:"events"`
	Files      []File         `json:"files"`
	ChainHead  Position       `json:"chain_head"`
	Checkpoint *Position      `json:"checkpoint"`
}

// Tenant is the tenant whose trail an export holds.
type Tenant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TimeRange is the time range the export asked for; null ends are open.
type TimeRange struct {
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

// Employee is the employee an export is about.
type Employee struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// File is one file of the export with its SHA-256 in hex.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// Position is a place in the chain: the chain head the export covers (its own event), or
// the newest signed checkpoint at or before it.
type Position struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

func newManifest(x trail.AuditExport, done trail.AuditExported, by string, files ...File) Manifest {
	m := Manifest{
		Version: 1, Format: x.Format, Tenant: Tenant{ID: x.Tenant.ID, Name: x.Tenant.Name},
		ExportedAt: done.Event.At, ExportedBy: by, Events: done.Events, Files: files,
		ChainHead: Position{Seq: done.Event.Seq, Hash: hex.EncodeToString(done.Event.Hash), At: done.Event.At},
	}
	if !x.Filter.From.IsZero() {
		m.TimeRange.From = &x.Filter.From
	}
	if !x.Filter.To.IsZero() {
		m.TimeRange.To = &x.Filter.To
	}
	if x.Employee != nil {
		m.Employee = &Employee{ID: x.Employee.ID, Email: x.Employee.Email}
	}
	m.Device, m.Actor, m.Actions = x.Filter.DeviceID, x.Filter.Actor, x.Filter.Actions
	if cp := done.Checkpoint; cp != nil {
		m.Checkpoint = &Position{Seq: cp.Seq, Hash: hex.EncodeToString(cp.Hash), At: cp.At}
	}
	return m
}

// encode returns the manifest as the bytes that are written and signed.
func (m Manifest) encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}
