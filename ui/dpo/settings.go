package dpo

import (
	"fmt"
	"io"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui/output"
)

// SettingsJSON is a tenant's data-protection settings as the API and the command line
// show and take them.
type SettingsJSON struct {
	DeviceRetentionDays int    `json:"device_retention_days"`
	AuditRetentionYears int    `json:"audit_retention_years"`
	InactivityDays      int    `json:"inactivity_days"`
	InactivityGraceDays int    `json:"inactivity_grace_days"`
	InactivityAction    string `json:"inactivity_action"`
	ITEmail             string `json:"it_email"`
	Purposes            string `json:"purposes"`
	Measures            string `json:"measures"`
	LegalBasis          string `json:"legal_basis"`
	EmploymentLaw       string `json:"employment_law"`
	LandLaw             string `json:"land_law"`
}

// Settings returns the JSON form of the settings.
func Settings(d dataprotection.DataProtection) SettingsJSON {
	return SettingsJSON{DeviceRetentionDays: d.DeviceRetentionDays, AuditRetentionYears: d.AuditRetentionYears,
		InactivityDays: d.InactivityDays, InactivityGraceDays: d.InactivityGraceDays,
		InactivityAction: string(d.InactivityAction), ITEmail: d.ITContactEmail, Purposes: d.Purposes, Measures: d.Measures,
		LegalBasis: string(d.LegalBasis), EmploymentLaw: string(d.EmploymentLaw), LandLaw: d.LandLaw}
}

// DataProtection returns the settings the JSON form describes; the service validates them.
func (j SettingsJSON) DataProtection() dataprotection.DataProtection {
	return dataprotection.DataProtection{DeviceRetentionDays: j.DeviceRetentionDays, AuditRetentionYears: j.AuditRetentionYears,
		InactivityDays: j.InactivityDays, InactivityGraceDays: j.InactivityGraceDays,
		InactivityAction: dataprotection.InactivityAction(j.InactivityAction), ITContactEmail: j.ITEmail, Purposes: j.Purposes, Measures: j.Measures,
		LegalBasis: dataprotection.LegalBasis(j.LegalBasis), EmploymentLaw: dataprotection.EmploymentLaw(j.EmploymentLaw), LandLaw: j.LandLaw}
}

// TenantSettingsJSON is a tenant's settings as the command line prints them: the tenant
// and its settings.
type TenantSettingsJSON struct {
	Tenant string `json:"tenant"`
	SettingsJSON
}

// SettingsText writes a tenant's retention periods and inactivity rule in one line.
func SettingsText(w io.Writer, tenant string, d dataprotection.DataProtection) error {
	rule := "off"
	if d.InactivityDays > 0 {
		rule = fmt.Sprintf("after %d days without contact, %s after %d more days", d.InactivityDays, d.InactivityAction, d.InactivityGraceDays)
	}
	years := "for ever"
	if d.AuditRetentionYears > 0 {
		years = fmt.Sprintf("%d years", d.AuditRetentionYears)
	}
	basis := "not chosen"
	if d.LegalBasis != "" {
		basis = fmt.Sprintf("%s with %s", d.LegalBasis, d.EmploymentLaw)
		if d.LandLaw != "" {
			basis += " (" + d.LandLaw + ")"
		}
	}
	_, err := fmt.Fprintf(w, "%s: device data kept %d days after removal; audit events kept %s; inactivity rule %s; legal basis %s\n",
		tenant, d.DeviceRetentionDays, years, rule, basis)
	return err
}

// WriteSettings writes a tenant's data-protection settings as text, or with asJSON as one
// object.
func WriteSettings(w io.Writer, asJSON bool, t mdm.Tenant, d dataprotection.DataProtection) error {
	if asJSON {
		return output.JSON(w, TenantSettingsJSON{Tenant: t.Name, SettingsJSON: Settings(d)})
	}
	return SettingsText(w, t.Name, d)
}
