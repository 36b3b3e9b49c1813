package api

import (
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// The JSON forms of the domain's rows, as the OpenAPI document describes them.

type deviceJSON struct {
	ID            string          `json:"id"`
	EmployeeID    string          `json:"employee_id"`
	EmployeeEmail string          `json:"employee_email,omitempty"`
	EmployeeName  string          `json:"employee_name,omitempty"`
	WorkPolicyID  *string         `json:"work_policy_id"`
	Platform      mdm.Platform    `json:"platform"`
	Ownership     mdm.Ownership   `json:"ownership"`
	State         mdm.DeviceState `json:"state"`
	// Hardware are the phone's identifiers, known for a company-owned phone only.
	Hardware *hardwareJSON `json:"hardware,omitempty"`
	// Compliance, ComplianceUntil and ComplianceReasons are the device's one verdict; a
	// removed device has none.
	Compliance        mdm.Compliance `json:"compliance,omitempty"`
	ComplianceUntil   *time.Time     `json:"compliance_until,omitempty"`
	ComplianceReasons []string       `json:"compliance_reasons,omitempty"`
	OSVersion         string         `json:"os_version"`
	LastContactAt     *time.Time     `json:"last_contact_at"`
	CreatedAt         time.Time      `json:"created_at"`
	// ReportedLostAt is when the company-owned phone was reported lost, while that report
	// stands (mdm.LostReportHold); absent otherwise.
	ReportedLostAt *time.Time `json:"reported_lost_at,omitempty"`
}

// hardwareJSON are a company-owned phone's hardware identifiers.
type hardwareJSON struct {
	SerialNumber string `json:"serial_number,omitempty"`
	IMEI         string `json:"imei,omitempty"`
	UDID         string `json:"udid,omitempty"`
}

func deviceOut(d mdm.Device) deviceJSON {
	v := d.Verdict()
	out := deviceJSON{ID: d.ID, EmployeeID: d.EmployeeID, WorkPolicyID: d.WorkPolicyID, Platform: d.Platform, Ownership: d.Ownership,
		State: d.State, Compliance: v.State, ComplianceUntil: v.Until, ComplianceReasons: v.Reasons, OSVersion: d.OSVersion,
		LastContactAt: d.LastContactAt, CreatedAt: d.CreatedAt}
	if !d.Hardware.Empty() {
		out.Hardware = &hardwareJSON{SerialNumber: d.Hardware.SerialNumber, IMEI: d.Hardware.IMEI, UDID: d.Hardware.UDID}
	}
	return out
}

func deviceListingOut(d mdm.DeviceListing) deviceJSON {
	out := deviceOut(d.Device)
	out.EmployeeEmail, out.EmployeeName = d.EmployeeEmail, d.EmployeeName
	return out
}

type commandJSON struct {
	ID         string           `json:"id"`
	Kind       mdm.CommandKind  `json:"kind"`
	State      mdm.CommandState `json:"state"`
	Error      string           `json:"error,omitempty"`
	CreatedAt  time.Time        `json:"created_at"`
	SentAt     *time.Time       `json:"sent_at"`
	FinishedAt *time.Time       `json:"finished_at"`
}

func commandOut(c mdm.Command) commandJSON {
	return commandJSON{ID: c.ID, Kind: c.Kind, State: c.State, Error: c.Error, CreatedAt: c.CreatedAt,
		SentAt: c.SentAt, FinishedAt: c.FinishedAt}
}

// declarationJSON is the state a device reported of one of its declarations.
type declarationJSON struct {
	Identifier string `json:"identifier"`
	Kind       string `json:"kind"`
	State      string `json:"state"`
	Active     bool   `json:"active"`
	Valid      string `json:"valid"`
	Reasons    string `json:"reasons"`
}

func declarationOut(d mdm.DeclarationState) declarationJSON {
	return declarationJSON{Identifier: d.Identifier, Kind: d.Kind, State: d.State(), Active: d.Active, Valid: d.Valid, Reasons: d.Reasons}
}

// heldCertificateJSON is a certificate a device reported in its work area.
type heldCertificateJSON struct {
	CommonName string    `json:"common_name"`
	Issuer     string    `json:"issuer"`
	Serial     string    `json:"serial"`
	NotAfter   time.Time `json:"not_after"`
	Identity   bool      `json:"identity"`
	IssuedHere bool      `json:"issued_here"`
	Purpose    string    `json:"purpose,omitempty"`
	Revoked    bool      `json:"revoked"`
	Warning    string    `json:"warning,omitempty"`
}

func heldCertificateOut(c mdm.HeldCertificate) heldCertificateJSON {
	return heldCertificateJSON{CommonName: c.CommonName, Issuer: c.Issuer, Serial: c.Serial, NotAfter: c.NotAfter.UTC(), Identity: c.Identity,
		IssuedHere: c.Ours, Purpose: c.Purpose, Revoked: c.Revoked, Warning: c.Warning}
}

type employeeJSON struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	ManagedAppleID string    `json:"managed_apple_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func employeeOut(e mdm.Employee) employeeJSON {
	return employeeJSON{ID: e.ID, Email: e.Email, Name: e.Name, ManagedAppleID: e.ManagedAppleID, CreatedAt: e.CreatedAt}
}

type invitationJSON struct {
	ID            string               `json:"id"`
	EmployeeID    string               `json:"employee_id"`
	EmployeeEmail string               `json:"employee_email,omitempty"`
	Platform      mdm.Platform         `json:"platform"`
	Ownership     mdm.Ownership        `json:"ownership"`
	Status        mdm.InvitationStatus `json:"status"`
	ExpiresAt     time.Time            `json:"expires_at"`
	CreatedAt     time.Time            `json:"created_at"`
}

func invitationOut(i mdm.Invitation, email string, now time.Time) invitationJSON {
	return invitationJSON{ID: i.ID, EmployeeID: i.EmployeeID, EmployeeEmail: email, Platform: i.Platform, Ownership: i.Ownership,
		Status: i.Status(now), ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt}
}

type appJSON struct {
	Platform      mdm.Platform    `json:"platform"`
	AppID         string          `json:"app_id"`
	InstallType   mdm.InstallType `json:"install_type"`
	ManagedConfig mdm.JSONObject  `json:"managed_config"`
}

type policyJSON struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	Description          string            `json:"description"`
	Version              int64             `json:"version"`
	WorkPasscodeRequired bool              `json:"work_passcode_required"`
	CopyPasteToPersonal  bool              `json:"copy_paste_to_personal"`
	MailAccount          *mailJSON         `json:"mail_account,omitempty"`
	PersonalUsage        personalUsageJSON `json:"personal_usage"`
	Apps                 []appJSON         `json:"apps,omitempty"`
	CreatedAt            time.Time         `json:"created_at"`
	UpdatedAt            time.Time         `json:"updated_at"`
}

// mailJSON is a policy's work mail account, as the API reads and writes it.
type mailJSON struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"`
	SMTPHost string `json:"smtp_host,omitempty"`
	SMTPPort int    `json:"smtp_port,omitempty"`
}

// account is the mail account the body asks for; mdm.MailAccount.Validate checks the
// rest. An account without a kind is refused rather than taken for none, which is
// mail_account left out or null.
func (m mailJSON) account() (mdm.MailAccount, error) {
	if m.Kind == "" {
		return mdm.MailAccount{}, fmt.Errorf("%w: mail_account needs a kind, exchange or imap; leave it out for none", mdm.ErrInvalid)
	}
	return mdm.MailAccount{Kind: mdm.MailKind(m.Kind), Name: m.Name, Host: m.Host, Port: m.Port, SMTPHost: m.SMTPHost, SMTPPort: m.SMTPPort}, nil
}

func policyOut(p mdm.WorkPolicy) policyJSON {
	out := policyJSON{ID: p.ID, Name: p.Name, Description: p.Description, Version: p.Version,
		WorkPasscodeRequired: p.WorkPasscodeRequired, CopyPasteToPersonal: p.CopyPasteToPersonal,
		PersonalUsage: personalUsageJSON(p.PersonalUsage), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.Mail.Configured() {
		out.MailAccount = &mailJSON{Kind: string(p.Mail.Kind), Name: p.Mail.Name, Host: p.Mail.Host,
			Port: p.Mail.Port, SMTPHost: p.Mail.SMTPHost, SMTPPort: p.Mail.SMTPPort}
	}
	for _, a := range p.Apps {
		out.Apps = append(out.Apps, appJSON{Platform: a.Platform, AppID: a.AppID, InstallType: a.InstallType, ManagedConfig: a.ManagedConfig})
	}
	return out
}

// personalUsageJSON are a work policy's rules for the personal side of company-owned
// phones.
type personalUsageJSON struct {
	MaxDaysWorkOff                int  `json:"max_days_work_off"`
	PersonalCameraDisabled        bool `json:"camera_disabled"`
	PersonalScreenCaptureDisabled bool `json:"screen_capture_disabled"`
}

type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       mdm.Role   `json:"role"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func tokenOut(t access.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, Role: t.Role, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt,
		ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

type tenantJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"display_name"`
	CreatedAt   time.Time `json:"created_at"`
}

func tenantOut(t mdm.Tenant) tenantJSON {
	return tenantJSON{ID: t.ID, Name: t.Name, DisplayName: t.DisplayName, CreatedAt: t.CreatedAt}
}

// mapSlice applies f to every element of in; never nil, so that an empty list is [] in JSON.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
