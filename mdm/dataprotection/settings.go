package dataprotection

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// DataProtection is a tenant's data-protection settings: how long data is kept, what
// happens to phones that stopped reporting, and what the record of processing says.
type DataProtection struct {
	TenantID string
	// DeviceRetentionDays is how long a removed device's row is kept before it is deleted.
	DeviceRetentionDays int
	// AuditRetentionYears is how long audit events are kept; 0 keeps them for ever.
	AuditRetentionYears int
	// InactivityDays flags devices without contact for so many days: 0 (off), 30, 60 or 90.
	InactivityDays int
	// InactivityGraceDays is how long a flagged device has to report before the action.
	InactivityGraceDays int
	// InactivityAction is what happens after the grace period.
	InactivityAction InactivityAction
	// ITContactEmail is told about inactive devices; empty tells only the employee.
	ITContactEmail string `gorm:"column:it_contact_email"`
	// Purposes and Measures are the tenant's own words for the record of processing;
	// empty uses the standard text.
	Purposes string
	Measures string
	// LegalBasis, EmploymentLaw and LandLaw are the legal basis of the processing as the
	// record of processing and the impact assessment state it; empty until the tenant
	// chooses (see LegalBasis).
	LegalBasis    LegalBasis
	EmploymentLaw EmploymentLaw
	LandLaw       string
	UpdatedAt     time.Time
}

// LegalBasis is the provision of Art. 6(1) GDPR that the processing of employees' data
// for mobile device management rests on.
type LegalBasis string

// The legal bases a public employer can name: the employment relationship (point b) or a
// legal obligation (point c). Empty means the tenant has not chosen one yet.
const (
	LegalBasisContract   LegalBasis = "art6_1_b"
	LegalBasisObligation LegalBasis = "art6_1_c"
)

// LegalBases are the legal bases in the order a form offers them.
var LegalBases = []LegalBasis{LegalBasisContract, LegalBasisObligation}

// EmploymentLaw is the national provision on the processing of employees' data that goes
// with the legal basis: § 26 BDSG, or the service law of the Land, which LandLaw names.
type EmploymentLaw string

// The national provisions.
const (
	EmploymentBDSG EmploymentLaw = "bdsg26"
	EmploymentLand EmploymentLaw = "land"
)

// EmploymentLaws are the national provisions in the order a form offers them.
var EmploymentLaws = []EmploymentLaw{EmploymentBDSG, EmploymentLand}

// maxLandLaw bounds the name of the Land's provision, which the documents quote.
const maxLandLaw = 200

// InactivityAction is what the inactivity rule does to a device after the grace period.
type InactivityAction string

// The inactivity actions: lock the work area, or remove the work container.
const (
	InactivityLock   InactivityAction = "lock"
	InactivityRemove InactivityAction = "remove"
)

// DefaultDataProtection is what a tenant has until it changes something: device data
// deleted 30 days after removal, audit events kept for three years, no inactivity rule.
func DefaultDataProtection(tenantID string) DataProtection {
	return DataProtection{TenantID: tenantID, DeviceRetentionDays: 30, AuditRetentionYears: 3,
		InactivityGraceDays: 14, InactivityAction: InactivityLock}
}

// Validate checks the settings against the rules: the inactivity rule is 30, 60 or 90
// days (the steps BSI names) or off, and every period is within sane bounds.
func (d DataProtection) Validate() error {
	var problems []string
	if d.DeviceRetentionDays < 1 || d.DeviceRetentionDays > 3650 {
		problems = append(problems, "device retention must be 1 to 3650 days")
	}
	if d.AuditRetentionYears < 0 || d.AuditRetentionYears > 100 {
		problems = append(problems, "audit retention must be 0 (for ever) to 100 years")
	}
	switch d.InactivityDays {
	case 0, 30, 60, 90:
	default:
		problems = append(problems, "inactivity must be 0 (off), 30, 60 or 90 days")
	}
	if d.InactivityGraceDays < 1 || d.InactivityGraceDays > 365 {
		problems = append(problems, "the inactivity grace period must be 1 to 365 days")
	}
	if d.InactivityAction != InactivityLock && d.InactivityAction != InactivityRemove {
		problems = append(problems, "the inactivity action must be lock or remove")
	}
	if d.ITContactEmail != "" {
		if _, err := mdm.NormalizeEmail(d.ITContactEmail); err != nil {
			problems = append(problems, "the IT contact must be an e-mail address")
		}
	}
	if len(d.Purposes) > 10000 || len(d.Measures) > 10000 {
		problems = append(problems, "purposes and measures must be at most 10000 characters each")
	}
	problems = append(problems, legalBasisProblems(d.LegalBasis, d.EmploymentLaw, d.LandLaw)...)
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", mdm.ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// CheckLegalBasis checks a legal basis as a form or a command gives it, by the rules the
// settings are stored with; mdm.ErrInvalid says which rule it breaks.
func CheckLegalBasis(basis LegalBasis, law EmploymentLaw, landLaw string) error {
	if problems := legalBasisProblems(basis, law, strings.TrimSpace(landLaw)); len(problems) > 0 {
		return fmt.Errorf("%w: %s", mdm.ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// legalBasisProblems checks the legal basis: a known provision of Art. 6(1) GDPR or
// none yet, a known national provision, and the Land's provision named when it is the
// Land's law — and nothing of the latter two without a legal basis.
func legalBasisProblems(basis LegalBasis, law EmploymentLaw, landLaw string) []string {
	var problems []string
	if basis != "" && !slices.Contains(LegalBases, basis) {
		problems = append(problems, fmt.Sprintf("the legal basis must be %s (Art. 6(1)(b) GDPR) or %s (Art. 6(1)(c) GDPR)",
			LegalBasisContract, LegalBasisObligation))
	}
	if law != "" && !slices.Contains(EmploymentLaws, law) {
		problems = append(problems, fmt.Sprintf("the employment law must be %s (§ 26 BDSG) or %s (the Land's service law)",
			EmploymentBDSG, EmploymentLand))
	}
	if basis == "" && (law != "" || landLaw != "") {
		problems = append(problems, "choose the legal basis together with the employment law")
	}
	if basis != "" && law == "" {
		problems = append(problems, fmt.Sprintf("with a legal basis, choose the employment law: %s or %s", EmploymentBDSG, EmploymentLand))
	}
	switch {
	case law == EmploymentLand && landLaw == "":
		problems = append(problems, "name the Land's provision (for example the section of its data-protection or civil-service act)")
	case law != EmploymentLand && landLaw != "":
		problems = append(problems, "a Land's provision goes only with the employment law "+string(EmploymentLand))
	case utf8.RuneCountInString(landLaw) > maxLandLaw:
		problems = append(problems, fmt.Sprintf("the Land's provision must be at most %d characters", maxLandLaw))
	}
	return problems
}

// TenantDataProtection returns the tenant's settings, the defaults when it never saved any.
func (s *Service) TenantDataProtection(ctx context.Context, t mdm.Tenant) (DataProtection, error) {
	return settingsOf(ctx, s.Tables(s.DB), t.ID)
}

// AuditRetentionYears is how many years the tenant keeps its audit events (0: for ever);
// it is how the audit trail's retention reads the tenant's settings.
func (s *Service) AuditRetentionYears(ctx context.Context, t mdm.Tenant) (int, error) {
	d, err := s.TenantDataProtection(ctx, t)
	return d.AuditRetentionYears, err
}

func settingsOf(ctx context.Context, st Store, tenantID string) (DataProtection, error) {
	d, err := st.DataProtection(ctx, tenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return DefaultDataProtection(tenantID), nil
	}
	if err != nil {
		return DataProtection{}, fmt.Errorf("data-protection settings of tenant %s: %w", tenantID, err)
	}
	return d, nil
}

// SetDataProtection stores the tenant's settings and records the change with the old and
// new periods, since they decide when data is deleted and devices locked.
func (s *Service) SetDataProtection(ctx context.Context, actor string, t mdm.Tenant, d DataProtection) (DataProtection, error) {
	d.TenantID = t.ID
	d.Purposes, d.Measures = strings.TrimSpace(d.Purposes), strings.TrimSpace(d.Measures)
	d.LandLaw = strings.TrimSpace(d.LandLaw)
	if d.ITContactEmail != "" {
		email, err := mdm.NormalizeEmail(d.ITContactEmail)
		if err != nil {
			return DataProtection{}, fmt.Errorf("%w: the IT contact must be an e-mail address", mdm.ErrInvalid)
		}
		d.ITContactEmail = email
	}
	if err := d.Validate(); err != nil {
		return DataProtection{}, err
	}
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		old, err := settingsOf(ctx, s.Tables(tx), t.ID)
		if err != nil {
			return err
		}
		d.UpdatedAt = at
		if err := s.Tables(tx).SaveDataProtection(ctx, t.ID, &d); err != nil {
			return fmt.Errorf("save data-protection settings: %w", err)
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DataProtectionUpdate, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"from": old.periods(), "to": d.periods()})})
		return err
	})
	return d, err
}

// periods is what an audit event says about settings: the rules and the legal basis, not
// the free text.
func (d DataProtection) periods() map[string]any {
	return map[string]any{"device_retention_days": d.DeviceRetentionDays, "audit_retention_years": d.AuditRetentionYears,
		"inactivity_days": d.InactivityDays, "inactivity_grace_days": d.InactivityGraceDays,
		"inactivity_action": d.InactivityAction, "it_contact": d.ITContactEmail != "",
		"legal_basis": d.LegalBasis, "employment_law": d.EmploymentLaw, "land_law": d.LandLaw}
}
