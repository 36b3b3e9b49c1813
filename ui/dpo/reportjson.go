package dpo

import (
	"fmt"
	"io"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// ReportJSON is the employee report as JSON, with stable field names. It leaves out what
// is no data about the person: the hash of invitation codes.
type ReportJSON struct {
	GeneratedAt time.Time     `json:"generated_at"`
	GeneratedBy string        `json:"generated_by"`
	Tenant      string        `json:"tenant"`
	Employee    employeeJSON  `json:"employee"`
	Invitations []inviteJSON  `json:"invitations"`
	Devices     []deviceJSON  `json:"devices"`
	Accesses    []audit.Event `json:"accesses"`
	Events      []audit.Event `json:"events"`
	Pruned      []prunedJSON  `json:"pruned,omitempty"`
}

type employeeJSON struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	ManagedAppleID string    `json:"managed_apple_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

type inviteJSON struct {
	ID             string     `json:"id"`
	Platform       string     `json:"platform"`
	Ownership      string     `json:"ownership"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	UsedAt         *time.Time `json:"used_at,omitempty"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
	MailedAt       *time.Time `json:"mailed_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	NoticeVersion  string     `json:"notice_version,omitempty"`
}

type deviceJSON struct {
	ID                 string            `json:"id"`
	Platform           string            `json:"platform"`
	Ownership          string            `json:"ownership"`
	PlatformID         string            `json:"platform_id,omitempty"`
	SerialNumber       string            `json:"serial_number,omitempty"`
	IMEI               string            `json:"imei,omitempty"`
	UDID               string            `json:"udid,omitempty"`
	State              string            `json:"state"`
	OSVersion          string            `json:"os_version,omitempty"`
	SecurityPatchLevel string            `json:"security_patch_level,omitempty"`
	Compliance         string            `json:"compliance,omitempty"`
	ComplianceUntil    *time.Time        `json:"compliance_until,omitempty"`
	ComplianceReasons  []string          `json:"compliance_reasons,omitempty"`
	ReportedCompliance string            `json:"reported_compliance"`
	NonCompliance      string            `json:"non_compliance,omitempty"`
	LastContactAt      *time.Time        `json:"last_contact_at,omitempty"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	Commands           []commandJSON     `json:"commands"`
	Certificates       []certificateJSON `json:"certificates"`
	InactiveSince      *time.Time        `json:"flagged_inactive_at,omitempty"`
	WorkPolicy         *policyJSON       `json:"work_policy,omitempty"`
}

// policyJSON is the work policy of a device with the work apps it installs on that
// device's platform; their managed configuration is the institution's, not the person's.
type policyJSON struct {
	Name string        `json:"name"`
	Apps []workAppJSON `json:"apps"`
}

type workAppJSON struct {
	AppID       string `json:"app_id"`
	InstallType string `json:"install_type"`
}

type commandJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
}

type certificateJSON struct {
	Serial    string    `json:"serial"`
	Subject   string    `json:"subject"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Revoked   bool      `json:"revoked"`
}

type prunedJSON struct {
	UpToSeq  int64     `json:"up_to_seq"`
	Cutoff   time.Time `json:"cutoff"`
	PrunedAt time.Time `json:"pruned_at"`
}

// Report returns the JSON form of the employee report.
func Report(r dataprotection.EmployeeReport) ReportJSON {
	e := r.Employee
	out := ReportJSON{GeneratedAt: r.GeneratedAt, GeneratedBy: r.GeneratedBy, Tenant: r.Tenant.Name,
		Employee:    employeeJSON{ID: e.ID, Email: e.Email, Name: e.Name, ManagedAppleID: e.ManagedAppleID, CreatedAt: e.CreatedAt},
		Invitations: []inviteJSON{}, Devices: []deviceJSON{}, Accesses: nonNil(r.Accesses), Events: nonNil(r.Events)}
	for _, i := range r.Invitations {
		out.Invitations = append(out.Invitations, inviteJSON{ID: i.ID, Platform: string(i.Platform), Ownership: string(i.Ownership), CreatedAt: i.CreatedAt,
			ExpiresAt: i.ExpiresAt, UsedAt: i.UsedAt, RevokedAt: i.RevokedAt, MailedAt: i.MailedAt,
			AcknowledgedAt: i.AcknowledgedAt, NoticeVersion: i.NoticeVersion})
	}
	for _, rec := range r.Devices {
		d := rec.Device
		dj := deviceJSON{ID: d.ID, Platform: string(d.Platform), Ownership: string(d.Ownership), PlatformID: d.PlatformID, State: string(d.State),
			SerialNumber: d.Hardware.SerialNumber, IMEI: d.Hardware.IMEI, UDID: d.Hardware.UDID,
			OSVersion: d.OSVersion, SecurityPatchLevel: d.SecurityPatchLevel, Compliance: string(d.Compliance),
			ComplianceUntil: d.ComplianceUntil, ComplianceReasons: d.Verdict().Reasons,
			ReportedCompliance: string(d.ReportedCompliance), NonCompliance: d.NonCompliance, LastContactAt: d.LastContactAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
			Commands: []commandJSON{}, Certificates: []certificateJSON{}}
		for _, c := range rec.Commands {
			dj.Commands = append(dj.Commands, commandJSON{ID: c.ID, Kind: string(c.Kind), State: string(c.State), CreatedAt: c.CreatedAt})
		}
		for _, c := range rec.Certificates {
			dj.Certificates = append(dj.Certificates, certificateJSON(c))
		}
		if rec.Inactivity != nil {
			dj.InactiveSince = &rec.Inactivity.FlaggedAt
		}
		if p := rec.WorkPolicy; p != nil {
			dj.WorkPolicy = &policyJSON{Name: p.Name, Apps: []workAppJSON{}}
			for _, a := range p.Apps {
				dj.WorkPolicy.Apps = append(dj.WorkPolicy.Apps, workAppJSON{AppID: a.AppID, InstallType: string(a.InstallType)})
			}
		}
		out.Devices = append(out.Devices, dj)
	}
	for _, p := range r.Pruned {
		out.Pruned = append(out.Pruned, prunedJSON{UpToSeq: p.UpToSeq, Cutoff: p.Cutoff, PrunedAt: p.PrunedAt})
	}
	return out
}

// nonNil makes an empty list of events a JSON array rather than null. Each event is
// written in the audit trail's one shape (audit.Event's JSON).
func nonNil(es []audit.Event) []audit.Event {
	if es == nil {
		return []audit.Event{}
	}
	return es
}

// ReportSummary writes what the per-employee report holds in one line, and how to see
// all of it.
func ReportSummary(w io.Writer, r dataprotection.EmployeeReport) error {
	_, err := fmt.Fprintf(w, "%s <%s>: %d invitations, %d devices, %d accesses and %d other events on record (--json or --html FILE for all of it)\n",
		r.Employee.Name, r.Employee.Email, len(r.Invitations), len(r.Devices), len(r.Accesses), len(r.Events))
	return err
}
