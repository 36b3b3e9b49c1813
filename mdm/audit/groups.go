package audit

import "slices"

// Group is a set of actions a reader of the trail asks for together ("every sign-in",
// "everything done to devices"), so that a filter need not list actions one by one.
type Group string

// The groups. Every action of the catalogue belongs to exactly one group; GroupAccess
// is the one exception, gathering the reading actions (AccessActions) across groups.
const (
	GroupSignIn      Group = "sign_in"
	GroupAccounts    Group = "accounts"
	GroupDevices     Group = "devices"
	GroupInvitations Group = "invitations"
	GroupSettings    Group = "settings"
	GroupLicences    Group = "licences"
	GroupAccess      Group = "access"
)

// Groups are the groups in the order a filter offers them.
var Groups = []Group{GroupAccess, GroupDevices, GroupInvitations, GroupSettings, GroupAccounts, GroupSignIn, GroupLicences}

// groupOf is where each action of the catalogue belongs.
var groupOf = map[Action]Group{
	AdminSignIn: GroupSignIn, AdminSignInFailed: GroupSignIn, AdminSignOut: GroupSignIn, AdminLocked: GroupSignIn,
	AdminSecondFactorSetup: GroupSignIn, AdminPasswordChange: GroupSignIn,
	AdminPasskeyAdd: GroupSignIn, AdminPasskeyRemove: GroupSignIn,

	AdminCreate: GroupAccounts, AdminDisable: GroupAccounts, AdminSecondFactorReset: GroupAccounts, TokenCreate: GroupAccounts, TokenRevoke: GroupAccounts,
	AdminRoleChange: GroupAccounts, AdminBreakGlass: GroupAccounts, AdminSSOLink: GroupAccounts, SSOUpdate: GroupSettings,

	DeviceView: GroupDevices, DeviceEnrolBegin: GroupDevices, DeviceEnrolComplete: GroupDevices, DevicePolicy: GroupDevices,
	DeviceCommand: GroupDevices, DeviceRemove: GroupDevices, DeviceWipe: GroupDevices, DeviceOwnershipRefused: GroupDevices, DeviceReportLost: GroupDevices, DeviceRemoved: GroupDevices, DeviceDelete: GroupDevices,
	DeviceRevokeCerts: GroupDevices, DeviceCompliance: GroupDevices, DeviceComplianceRule: GroupDevices,
	DeviceComplianceAct: GroupDevices, DeviceComplianceMail: GroupDevices, DeviceInactive: GroupDevices,
	DeviceActiveAgain: GroupDevices, DeviceInactivityAct: GroupDevices, DeviceInactivityMail: GroupDevices,
	CertificateChallenge: GroupDevices, CertificateRevoke: GroupDevices, CertificateKeyBind: GroupDevices,
	CertificateKeyRenew: GroupDevices, CertificateRenewAllow: GroupDevices, SecurityCertificateKeyMismatch: GroupDevices,
	AndroidDevicePolicy: GroupDevices, DeviceBulk: GroupDevices, DeviceExport: GroupDevices,
	AppleDeclarativeOn: GroupDevices,

	InvitationCreate: GroupInvitations, InvitationMail: GroupInvitations, InvitationRedeem: GroupInvitations,
	InvitationResend: GroupInvitations, InvitationRevoke: GroupInvitations, NoticeAcknowledge: GroupInvitations,
	EmployeeView: GroupInvitations, EmployeeReport: GroupInvitations,
	EmployeeConfirm: GroupInvitations, EmployeeConfirmRefused: GroupInvitations, InvitationOwnershipRefused: GroupInvitations,

	TenantCreate: GroupSettings, TenantContacts: GroupSettings, TenantLostModeText: GroupSettings, DataProtectionUpdate: GroupSettings,
	DataProtectionDocument: GroupSettings, AuditExport: GroupSettings, AuditPrune: GroupSettings,
	SIEMEnable: GroupSettings, SIEMDisable: GroupSettings,
	WorkPolicyCreate: GroupSettings, WorkPolicyUpdate: GroupSettings, WorkPolicyDefault: GroupSettings,
	WorkPolicyCompliance: GroupSettings, AndroidBind: GroupSettings, AndroidSignupStart: GroupSettings,
	AndroidCertificatesOn: GroupSettings, AndroidPolicyApply: GroupSettings, ApplePushCertSet: GroupSettings,
	AppleVPPTokenSet: GroupSettings, AppleDEPTokenSet: GroupSettings, AppleDEPProfileAssign: GroupDevices,

	AppleLicenceReserve: GroupLicences, AppleLicenceAssociate: GroupLicences, AppleLicenceFailed: GroupLicences,
	AppleLicenceRelease: GroupLicences, AppleLicenceReleased: GroupLicences,

	DirectoryConfigure: GroupSettings, DirectoryRules: GroupSettings, DirectorySync: GroupSettings,
	DirectoryJoiner: GroupInvitations, DirectoryReturner: GroupInvitations, DirectoryLeaver: GroupInvitations,
	DirectoryLeaverMail: GroupInvitations, DirectoryMover: GroupDevices, DirectoryLeaverRemove: GroupDevices,
}

// Actions returns the group's actions, sorted.
func (g Group) Actions() []Action {
	if g == GroupAccess {
		return slices.Sorted(slices.Values(AccessActions))
	}
	var out []Action
	for a, og := range groupOf {
		if og == g {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// ParseAction returns the catalogued action named s.
func ParseAction(s string) (Action, bool) {
	return Action(s), actions[Action(s)]
}

// ParseGroup returns the group named s.
func ParseGroup(s string) (Group, bool) {
	return Group(s), slices.Contains(Groups, Group(s))
}

// ActionsNamed returns the actions that what names: the actions of a group, or one
// action; nil when what names neither (the audit page's and the API's "what" filter).
func ActionsNamed(what string) []Action {
	if g, ok := ParseGroup(what); ok {
		return g.Actions()
	}
	if a, ok := ParseAction(what); ok {
		return []Action{a}
	}
	return nil
}
