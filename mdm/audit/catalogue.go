package audit

import (
	"fmt"
	"slices"
	"strings"
)

// Action says what an event records, as "noun.verb". Every action an event may carry is
// in the catalogue below; the store refuses any other, so that a data-protection
// officer who searches for an action finds every event of it.
type Action string

// The catalogue of actions.
const (
	// Administrators, their sign-in and API tokens.
	AdminCreate            Action = "admin.create"
	AdminDisable           Action = "admin.disable"
	AdminPasswordChange    Action = "admin.password_change"
	AdminSecondFactorSetup Action = "admin.second_factor_setup"
	AdminSignIn            Action = "admin.sign_in"
	AdminSignInFailed      Action = "admin.sign_in_failed"
	AdminSignOut           Action = "admin.sign_out"
	AdminLocked            Action = "admin.locked"
	// A passkey was added to or removed from an administrator's own account.
	AdminPasskeyAdd    Action = "admin.passkey_add"
	AdminPasskeyRemove Action = "admin.passkey_remove"
	// Another administrator reset an administrator's second factor, with the reason.
	AdminSecondFactorReset Action = "admin.second_factor_reset"
	// Single sign-on: the tenant's provider was set; an administrator's role followed
	// their groups at the provider; an administrator was marked break-glass or unmarked.
	SSOUpdate       Action = "sso.update"
	AdminRoleChange Action = "admin.role_change"
	AdminBreakGlass Action = "admin.break_glass"
	// An administrator linked their account to their identity at the provider.
	AdminSSOLink Action = "admin.sso_link"
	TokenCreate  Action = "token.create"
	TokenRevoke  Action = "token.revoke"

	// Tenants and their data-protection settings.
	TenantCreate         Action = "tenant.create"
	TenantContacts       Action = "tenant.contacts"
	DataProtectionUpdate Action = "dataprotection.update"
	// A draft for the tenant's data-protection officer (impact assessment, service
	// agreement, BSI mapping) was generated; its details name the document.
	DataProtectionDocument Action = "dataprotection.document"
	NoticeAcknowledge      Action = "notice.acknowledge"
	// An employee signed in at the tenant's provider as the invitation's employee before
	// the enrolment went on; or the sign-in was refused (another person, an answer that
	// could not be trusted), which changed nothing.
	EmployeeConfirm        Action = "employee.confirm"
	EmployeeConfirmRefused Action = "employee.confirm_refused"
	AuditExport            Action = "audit.export"
	AuditPrune             Action = "audit.prune"
	EmployeeView           Action = "employee.view"
	EmployeeReport         Action = "employee.report"
	DeviceView             Action = "device.view"
	// DeviceExport: devices of the list were exported (CSV), with the reason stated.
	DeviceExport Action = "device.export"
	// DeviceBulk: an action on a selection of devices, with the reason stated and the
	// devices it failed for; each device's own event is recorded beside it.
	DeviceBulk            Action = "device.bulk"
	CertificateChallenge  Action = "certificate.challenge"
	CertificateRevoke     Action = "certificate.revoke"
	CertificateKeyBind    Action = "certificate.key_bind"
	CertificateKeyRenew   Action = "certificate.key_renew"
	CertificateRenewAllow Action = "certificate.renewal_allow"
	// A device asked for a certificate with another key than the one its enrolment is
	// bound to: a security event the dashboard shows.
	SecurityCertificateKeyMismatch Action = "security.certificate_key_mismatch"
	InvitationCreate               Action = "invitation.create"
	InvitationMail                 Action = "invitation.mail"
	InvitationRedeem               Action = "invitation.redeem"
	InvitationResend               Action = "invitation.resend"
	InvitationRevoke               Action = "invitation.revoke"
	WorkPolicyCreate               Action = "policy.create"
	WorkPolicyUpdate               Action = "policy.update"
	WorkPolicyDefault              Action = "policy.default"
	WorkPolicyCompliance           Action = "policy.compliance_rules"
	DeviceEnrolBegin               Action = "device.enrol_begin"
	DeviceEnrolComplete            Action = "device.enrol_complete"
	DevicePolicy                   Action = "device.policy"
	DeviceCommand                  Action = "device.command"
	DeviceRemove                   Action = "device.remove"
	// A company-owned phone was ordered to be erased as a whole, with the reason.
	DeviceWipe Action = "device.wipe"
	// A company-owned phone was reported lost (by its employee on the portal), and the
	// command that secures it was ordered: lost mode or a lock of the whole phone.
	DeviceReportLost Action = "device.report_lost"
	// Someone (an administrator, a script, a phone's report) claimed another ownership
	// for a device than the one it was invited with; the claim was refused and changed
	// nothing.
	DeviceOwnershipRefused Action = "device.ownership_refused"
	DeviceRemoved          Action = "device.removed"
	DeviceDelete           Action = "device.delete"
	DeviceRevokeCerts      Action = "device.certificates_revoke"
	DeviceCompliance       Action = "device.compliance"
	DeviceComplianceRule   Action = "device.compliance_rule"
	DeviceComplianceAct    Action = "device.compliance_action"
	DeviceComplianceMail   Action = "device.compliance_mail"
	DeviceInactive         Action = "device.inactive"
	DeviceActiveAgain      Action = "device.active_again"
	DeviceInactivityAct    Action = "device.inactivity_action"
	DeviceInactivityMail   Action = "device.inactivity_mail"
	AndroidBind            Action = "android.bind"
	AndroidSignupStart     Action = "android.signup_start"
	AndroidCertificatesOn  Action = "android.certificates_enable"
	AndroidPolicyApply     Action = "android.policy_apply"
	AndroidDevicePolicy    Action = "android.device_policy"
	ApplePushCertSet       Action = "apple.push_certificate.set"
	AppleVPPTokenSet       Action = "apple.vpp_token.set"
	AppleLicenceReserve    Action = "apple.vpp_licence.reserve"
	AppleLicenceAssociate  Action = "apple.vpp_licence.associated"
	AppleLicenceFailed     Action = "apple.vpp_licence.failed"
	AppleLicenceRelease    Action = "apple.vpp_licence.release"
	AppleLicenceReleased   Action = "apple.vpp_licence.released"
	// An iPhone's enrolment is managed declaratively from now on (iOS 17.2 or later): its
	// work policy reaches it as declarations, and it reports its status by itself.
	AppleDeclarativeOn Action = "apple.declarative_on"
)

// Company-owned iPhones and iPads: a phone signed in with an invitation for the other
// ownership than its way of enrolling serves (a device enrolment with an invitation for
// the employee's own phone, or the reverse), which set nothing up.
const (
	InvitationOwnershipRefused Action = "invitation.ownership_refused"
)

// Company-owned phones in lost mode: the text their lock screen shows (a message, a phone
// number, a footnote) was set for the tenant; the details hold the text.
const (
	TenantLostModeText Action = "tenant.lost_mode_text"
)

// Automated Device Enrollment (Apple Business Manager): the tenant's server token was set;
// the server's enrolment profile was assigned to devices the tenant bought.
const (
	AppleDEPTokenSet      Action = "apple.dep_token.set"
	AppleDEPProfileAssign Action = "apple.dep_profile.assign"
)

// The feed of the audit trail to the installation's SIEM: the tenant's events are sent
// from SIEMEnable on (that event included) to SIEMDisable (included).
const (
	SIEMEnable  Action = "siem.enable"
	SIEMDisable Action = "siem.disable"
)

// Employees from the directory (LDAP sync, SCIM provisioning): its settings and rules, a
// sync that changed something, and each joiner, returner, mover and leaver.
const (
	DirectoryConfigure    Action = "directory.configure"
	DirectoryRules        Action = "directory.rules"
	DirectorySync         Action = "directory.sync"
	DirectoryJoiner       Action = "directory.joiner"
	DirectoryReturner     Action = "directory.returner"
	DirectoryMover        Action = "directory.mover"
	DirectoryLeaver       Action = "directory.leaver"
	DirectoryLeaverMail   Action = "directory.leaver_mail"
	DirectoryLeaverRemove Action = "directory.leaver_remove"
)

// actions is the catalogue as a set.
var actions = setOf(
	AdminCreate, AdminDisable, AdminPasswordChange, AdminSecondFactorSetup, AdminSignIn, AdminSignInFailed,
	AdminSignOut, AdminLocked, TokenCreate, TokenRevoke, AdminPasskeyAdd, AdminPasskeyRemove, AdminSecondFactorReset,
	SSOUpdate, AdminRoleChange, AdminBreakGlass, AdminSSOLink,
	TenantCreate, TenantContacts, TenantLostModeText, DataProtectionUpdate, DataProtectionDocument, NoticeAcknowledge, AuditExport, AuditPrune,
	SIEMEnable, SIEMDisable,
	EmployeeView, EmployeeReport, DeviceView, DeviceExport, DeviceBulk, CertificateChallenge, CertificateRevoke,
	CertificateKeyBind, CertificateKeyRenew, CertificateRenewAllow, SecurityCertificateKeyMismatch,
	InvitationCreate, InvitationMail, InvitationRedeem, InvitationResend, InvitationRevoke,
	EmployeeConfirm, EmployeeConfirmRefused, InvitationOwnershipRefused,
	WorkPolicyCreate, WorkPolicyUpdate, WorkPolicyDefault, WorkPolicyCompliance,
	DeviceEnrolBegin, DeviceEnrolComplete, DevicePolicy, DeviceCommand, DeviceRemove, DeviceWipe, DeviceOwnershipRefused, DeviceReportLost, DeviceRemoved,
	DeviceDelete, DeviceRevokeCerts, DeviceCompliance, DeviceComplianceRule, DeviceComplianceAct,
	DeviceComplianceMail, DeviceInactive, DeviceActiveAgain, DeviceInactivityAct, DeviceInactivityMail,
	AndroidBind, AndroidSignupStart, AndroidCertificatesOn, AndroidPolicyApply, AndroidDevicePolicy,
	ApplePushCertSet, AppleVPPTokenSet, AppleLicenceReserve, AppleLicenceAssociate, AppleLicenceFailed,
	AppleLicenceRelease, AppleLicenceReleased, AppleDeclarativeOn, AppleDEPTokenSet, AppleDEPProfileAssign,
	DirectoryConfigure, DirectoryRules, DirectorySync, DirectoryJoiner, DirectoryReturner, DirectoryMover,
	DirectoryLeaver, DirectoryLeaverMail, DirectoryLeaverRemove,
)

func setOf[T comparable](xs ...T) map[T]bool {
	m := make(map[T]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Actions returns the catalogue of actions.
func Actions() []Action {
	out := make([]Action, 0, len(actions))
	for a := range actions {
		out = append(out, a)
	}
	return out
}

// Kind is what sort of thing an event's subject is. Like actions, kinds come from one
// catalogue: a work policy is "work_policy:<id>" wherever it is named.
type Kind string

// The catalogue of subject kinds.
const (
	Tenant      Kind = "tenant"
	Admin       Kind = "admin"
	Token       Kind = "token"
	Employee    Kind = "employee"
	Invitation  Kind = "invitation"
	Device      Kind = "device"
	Enrolment   Kind = "enrolment"
	Certificate Kind = "certificate"
	WorkPolicy  Kind = "work_policy"
)

// kinds is the catalogue of kinds as a set.
var kinds = setOf(Tenant, Admin, Token, Employee, Invitation, Device, Enrolment, Certificate, WorkPolicy)

// Of names the subject of kind k with the ID: "device:<id>".
func (k Kind) Of(id string) string { return string(k) + ":" + id }

// KindOf returns the kind of a subject and whether the subject is written as one.
func KindOf(subject string) (Kind, bool) {
	k, id, ok := strings.Cut(subject, ":")
	return Kind(k), ok && id != "" && kinds[Kind(k)]
}

// Check refuses a record whose action or subject kind is not in the catalogue, or that
// names no actor. An event without a subject is allowed: a failed sign-in with an unknown
// address concerns no row.
func Check(r Record) error {
	if r.Actor == "" {
		return fmt.Errorf("audit record %s: no actor", r.Action)
	}
	if !actions[r.Action] {
		return fmt.Errorf("audit record: action %q is not in the catalogue", r.Action)
	}
	if r.Subject != "" {
		if _, ok := KindOf(r.Subject); !ok {
			return fmt.Errorf("audit record %s: subject %q is not kind:<id> of a catalogued kind", r.Action, r.Subject)
		}
	}
	return nil
}

// AccessActions are the actions that record someone looking at or exporting data rather
// than changing it: the access log of the data-protection officer.
var AccessActions = []Action{DeviceView, EmployeeView, EmployeeReport, AuditExport, DeviceExport}

// IsAccess reports whether the event records someone looking at or exporting data,
// rather than a change.
func (e Event) IsAccess() bool { return slices.Contains(AccessActions, e.Action) }
