package mdm

import (
	"context"
	"strconv"
	"time"
)

// RecordOfProcessing is the starting document for the record of processing activities
// (Art. 30 GDPR) of the tenant's mobile device management, made from its settings and from
// what trennwand keeps. The data-protection officer completes and adopts it.
type RecordOfProcessing struct {
	GeneratedAt    time.Time
	Controller     string // the tenant
	Operator       string // who runs the service for it; empty: the tenant itself
	PrivacyContact string
	Purposes       []string
	DataSubjects   []string
	DataCategories []string
	Recipients     []Recipient
	Retention      []string
	Measures       []string
	Settings       DataProtection
}

// Recipient is someone data is disclosed to, with what and why.
type Recipient struct {
	Name, Data, Why string
}

// defaultPurposes are what the processing is for unless the tenant words it itself.
var defaultPurposes = []string{
	"Provision of work apps and their settings on employees' own phones, separated from their private data (Android Work Profile, Apple User Enrolment)",
	"Protection of official data on those phones: work passcode, copy-and-paste rules, locking or removing the work area, revoking certificates",
	"Proof of what the device management did and who looked at whose data (tamper-evident audit trail)",
}

// dataCategories are the data trennwand keeps; its privacy rules keep everything else
// (private apps, photos, messages, location, phone number, hardware identifiers) out.
var dataCategories = []string{
	"Employee: name, work e-mail address, managed Apple account",
	"Invitations: when issued, used, revoked or mailed; acknowledgement of the privacy notice (never the code itself)",
	"Work container: platform, enrolment identifier, operating-system version, security patch level, compliance and its reasons, last contact",
	"Work apps and their managed configuration; commands sent to the work container and their outcome",
	"Certificates issued to the work container (serial number, subject, validity, revocation)",
	"Audit trail: who did or viewed what, when (administrators, the system, devices)",
}

// defaultMeasures are the technical measures trennwand itself takes.
var defaultMeasures = []string{
	"Work data and private data are separated by the platform (work profile, user enrolment); the device management cannot see private data",
	"TLS on every connection; devices authenticate with certificates of the installation's own CA",
	"Administrators sign in with a password and a second factor; roles (admin, helpdesk, data-protection officer) limit what each may do",
	"Secrets (CA keys, Apple and Google credentials) are encrypted at rest with a master key kept outside the database",
	"Tamper-evident audit trail: a hash chain per tenant with checkpoints signed by the CA; exports are signed",
	"Every access to an employee's or device's data is recorded; tenants are strictly separated",
	"Retention rules delete device data and old audit events automatically; inactive devices are flagged and then locked or removed",
}

// ProcessingRecord returns the tenant's record of processing as it stands.
func (s *Service) ProcessingRecord(ctx context.Context, t Tenant) (RecordOfProcessing, error) {
	dp, err := s.TenantDataProtection(ctx, t)
	if err != nil {
		return RecordOfProcessing{}, err
	}
	r := RecordOfProcessing{
		GeneratedAt: s.clock(), Controller: t.DisplayName, Operator: t.OperatorName, PrivacyContact: t.PrivacyContact,
		Purposes: defaultPurposes, DataSubjects: []string{"Employees of " + t.DisplayName + " who enrol their own phone"},
		DataCategories: dataCategories, Measures: defaultMeasures, Settings: dp,
		Recipients: []Recipient{
			{Name: "Google (Android Management API)", Data: "enrolment and policy of the work profile, its status reports", Why: "manage the Android work profile"},
			{Name: "Apple (Apple Push Notification service, managed Apple accounts)", Data: "push token of the enrolment, the managed Apple account", Why: "wake iPhones to fetch commands; account-driven User Enrolment"},
		},
	}
	if t.OperatorName != "" {
		r.Recipients = append(r.Recipients, Recipient{Name: t.OperatorName, Data: "all of the above", Why: "runs the service on behalf of the controller (processor, Art. 28 GDPR)"})
	}
	if dp.Purposes != "" {
		r.Purposes = []string{dp.Purposes}
	}
	if dp.Measures != "" {
		r.Measures = append(append([]string(nil), defaultMeasures...), dp.Measures)
	}
	r.Retention = retentionLines(dp)
	return r, nil
}

func retentionLines(dp DataProtection) []string {
	audit := "Audit events: kept without time limit"
	if dp.AuditRetentionYears > 0 {
		audit = "Audit events: removed after " + strconv.Itoa(dp.AuditRetentionYears) + " years, the rest of the trail stays verifiable from a signed checkpoint"
	}
	lines := []string{
		"Device data: deleted " + strconv.Itoa(dp.DeviceRetentionDays) + " days after the work container was removed; a deletion record stays in the audit trail",
		audit,
	}
	if dp.InactivityDays > 0 {
		lines = append(lines, "Devices without contact for "+strconv.Itoa(dp.InactivityDays)+" days are flagged and, after "+
			strconv.Itoa(dp.InactivityGraceDays)+" more days without contact, their work area is "+map[InactivityAction]string{
			InactivityLock: "locked", InactivityRemove: "removed"}[dp.InactivityAction])
	}
	return lines
}
