package output

import (
	"cmp"
	"io"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// Devices writes the tenant's devices as a table, or with asJSON as one object.
func Devices(w io.Writer, asJSON bool, t mdm.Tenant, devices []mdm.Device) error {
	if asJSON {
		out := make([]map[string]any, len(devices))
		for i, d := range devices {
			out[i] = map[string]any{
				"id": d.ID, "employee_id": d.EmployeeID, "platform": d.Platform, "ownership": d.Ownership, "state": d.State,
				"os_version": d.OSVersion, "last_contact_at": d.LastContactAt,
				"created_at": d.CreatedAt, "security_patch_level": d.SecurityPatchLevel, "non_compliance": d.NonCompliance,
			}
			if !d.Hardware.Empty() {
				out[i]["hardware"] = map[string]string{"serial_number": d.Hardware.SerialNumber, "imei": d.Hardware.IMEI, "udid": d.Hardware.UDID}
			}
			if v := d.Verdict(); v.State != mdm.ComplianceNone {
				out[i]["compliance"] = v.State
				if v.Until != nil {
					out[i]["compliance_until"] = v.Until
				}
				if len(v.Reasons) > 0 {
					out[i]["compliance_reasons"] = v.Reasons
				}
			}
		}
		return JSON(w, map[string]any{"tenant": t.Name, "devices": out})
	}
	rows := make([][]string, len(devices))
	for i, d := range devices {
		verdict := cmp.Or(string(d.Compliance), "-")
		if d.ComplianceUntil != nil {
			verdict += " until " + d.ComplianceUntil.Local().Format(time.DateTime)
		}
		rows[i] = []string{d.ID, string(d.Platform), string(d.Ownership), string(d.State), d.OSVersion, verdict, localTime(d.LastContactAt, "never")}
	}
	return Table(w, []string{"ID", "PLATFORM", "OWNERSHIP", "STATE", "OS", "COMPLIANCE", "LAST CONTACT"}, rows)
}

// Tokens writes the tenant's API tokens as a table, or with asJSON as one object.
func Tokens(w io.Writer, asJSON bool, t mdm.Tenant, toks []access.APIToken) error {
	if asJSON {
		out := make([]map[string]any, len(toks))
		for i, tok := range toks {
			out[i] = map[string]any{"id": tok.ID, "name": tok.Name, "role": tok.Role, "created_by": tok.CreatedBy,
				"created_at": tok.CreatedAt, "expires_at": tok.ExpiresAt, "last_used_at": tok.LastUsedAt, "revoked_at": tok.RevokedAt}
		}
		return JSON(w, map[string]any{"tenant": t.Name, "tokens": out})
	}
	rows := make([][]string, len(toks))
	for i, tok := range toks {
		rows[i] = []string{tok.ID, tok.Name, string(tok.Role), localTime(tok.LastUsedAt, "never"),
			tok.ExpiresAt.Local().Format(time.DateOnly), localTime(tok.RevokedAt, "-")}
	}
	return Table(w, []string{"ID", "NAME", "ROLE", "LAST USED", "EXPIRES", "REVOKED"}, rows)
}

// Tenants writes the tenants as a table, or with asJSON as one object.
func Tenants(w io.Writer, asJSON bool, ts []mdm.Tenant) error {
	if asJSON {
		out := make([]map[string]any, len(ts))
		for i, t := range ts {
			out[i] = Tenant(t)
		}
		return JSON(w, map[string]any{"tenants": out})
	}
	rows := make([][]string, len(ts))
	for i, t := range ts {
		rows[i] = []string{t.Name, t.DisplayName, t.CreatedAt.Format(time.DateOnly)}
	}
	return Table(w, []string{"NAME", "DISPLAY NAME", "CREATED"}, rows)
}

// Tenant is a tenant as the command line prints it in JSON.
func Tenant(t mdm.Tenant) map[string]any {
	return map[string]any{"id": t.ID, "name": t.Name, "display_name": t.DisplayName, "created_at": t.CreatedAt}
}

// localTime formats an optional time for a table, or says none.
func localTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.Local().Format(time.DateTime)
}
