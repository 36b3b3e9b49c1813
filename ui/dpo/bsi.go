package dpo

import (
	"strings"

	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// bsiStatus says who meets a requirement: trennwand, trennwand with the operator, the
// operator alone, or the operator because trennwand deliberately does not (what it would
// take breaks the privacy rules of a private phone).
type bsiStatus string

const (
	bsiMet      bsiStatus = "met"
	bsiShared   bsiStatus = "shared"
	bsiOperator bsiStatus = "operator"
	bsiDeclined bsiStatus = "declined"
)

// bsiSource says what a row's identifier and title were checked against (its text is
// bsi.source.<source>): the published module SYS.3.2.2, an earlier edition of SYS.3.2.1,
// the minimum standard for MDM (version 2.0) with or without its title seen, or
// Grundschutz++, whose identifiers are not checked.
type bsiSource string

const (
	srcKompendium      bsiSource = "kompendium"
	srcKompendiumCheck bsiSource = "kompendium_check"
	srcMST             bsiSource = "mst"
	srcMSTCheck        bsiSource = "mst_check"
	srcGSPP            bsiSource = "gspp"
)

// bsiRequirement is one row of the BSI mapping. ID is the requirement's identifier as
// BSI publishes it (IT-Grundschutz module or the minimum standard for MDM; Grundschutz++
// where DESIGN names a requirement without one); Key names its texts (bsi.<key>.title,
// the published title, and bsi.<key>.how, in our own words what it asks and how it is
// met). Tests are the test functions that prove trennwand's part, or for a declined row
// that trennwand keeps to what it declines; a test fails if one of them no longer
// exists, and a row trennwand meets must name at least one.
type bsiRequirement struct {
	ID, Key string
	Status  bsiStatus
	Source  bsiSource
	Tests   []string
	// Setting, when set, adds how this installation is set to the row.
	Setting func(dataprotection.DocumentFacts, texts) string
}

// bsiWithdrawn are the requirements of SYS.3.2.2 that the published text marks as
// withdrawn; every other one up to bsiLastOfModule has a row.
var bsiWithdrawn = []int{8, 9, 10, 11, 13, 15, 16, 18}

const bsiLastOfModule = 23

var bsiRequirements = []bsiRequirement{
	// IT-Grundschutz SYS.3.2.2 Mobile Device Management, in the module's order: basic,
	// standard, elevated protection needs.
	{ID: "SYS.3.2.2.A1", Key: "strategy", Status: bsiOperator, Source: srcKompendium},
	{ID: "SYS.3.2.2.A2", Key: "devices", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestAnOldPatchLeadsToConsequencesOnceAndEndsWithTheUpdate"}},
	{ID: "SYS.3.2.2.A3", Key: "product", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestTheBSIMappingNamesTestsThatExist"}},
	{ID: "SYS.3.2.2.A4", Key: "baseline", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestAnEnrolledPhoneReceivesItsCommands", "TestTheGatewayLearnsYesOrNoAndNothingMore"}},
	{ID: "SYS.3.2.2.A5", Key: "client", Status: bsiMet, Source: srcKompendium,
		Tests: []string{"TestAnAndroidEmployeeReadsTheNoticeThenGetsTheLink"}},
	{ID: "SYS.3.2.2.A20", Key: "review", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestTokensPageCreatesListsAndRevokesTokens", "TestEveryPageKeepsTheRoleMatrixAndTheTenantWall"}},
	{ID: "SYS.3.2.2.A6", Key: "status_log", Status: bsiMet, Source: srcKompendium,
		Tests: []string{"TestViewingADeviceIsRecorded", "TestEveryViewTellsTheSameContactAndVerdict", "TestAuditExportWritesEventsAndASignedManifest"}},
	{ID: "SYS.3.2.2.A7", Key: "apps", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestTheWorkPolicyPutsItsAppsOnTheIPhone", "TestAFailedInstallationIsShownAndTriedAgain"}},
	{ID: "SYS.3.2.2.A12", Key: "hardening", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestTLS12AcceptsOnlyAEADSuites", "TestCredentialsAreSealed"}},
	{ID: "SYS.3.2.2.A21", Key: "certificates", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestSCEPEnrolmentIssuesTheEnrolmentsCertificate", "TestRevokeOneCertificate", "TestCRLNumberIncreasesWithEachRevocation"}},
	{ID: "SYS.3.2.2.A22", Key: "wipe", Status: bsiMet, Source: srcKompendium,
		Tests: []string{"TestRemovingADevice", "TestAnEmployeeRemovesTheWorkContainer", "TestNoConsequenceWipesThePhone"}},
	{ID: "SYS.3.2.2.A14", Key: "reputation", Status: bsiOperator, Source: srcKompendium},
	{ID: "SYS.3.2.2.A17", Key: "usage", Status: bsiShared, Source: srcKompendium,
		Tests: []string{"TestPostureAndPasscodeComeFromTheStatusReport"}},
	{ID: "SYS.3.2.2.A19", Key: "geofencing", Status: bsiDeclined, Source: srcKompendium,
		Tests: []string{"TestStatusReportKeepsNoPrivateFacts"}},
	{ID: "SYS.3.2.2.A23", Key: "compliance", Status: bsiMet, Source: srcKompendium,
		Tests: []string{"TestAnOldPatchLeadsToConsequencesOnceAndEndsWithTheUpdate", "TestARuleChangeIsPreviewedAndThenApplied"}},
	// IT-Grundschutz SYS.3.2.1 General smartphones and tablets: the requirements the
	// management server takes part in.
	{ID: "SYS.3.2.1.A4", Key: "passcode", Status: bsiShared, Source: srcKompendiumCheck,
		Tests: []string{"TestPostureAndPasscodeComeFromTheStatusReport"}},
	{ID: "SYS.3.2.1.A5", Key: "updates", Status: bsiShared, Source: srcKompendiumCheck,
		Tests: []string{"TestAnOldIPhoneIsToldAndLosesWorkAccessUntilItUpdates"}},
	{ID: "SYS.3.2.1.A22", Key: "vpn", Status: bsiShared, Source: srcKompendiumCheck,
		Tests: []string{"TestTokenForAMailGateway"}},
	{ID: "SYS.3.2.1.A25", Key: "separation", Status: bsiMet, Source: srcKompendiumCheck,
		Tests: []string{"TestTheInventoryKeepsWorkAppsOnly", "TestNoticeSaysWhatIsNeverCollected"}},
	// The BSI minimum standard for mobile device management, version 2.0.
	{ID: "MDM.2.2.01", Key: "byod", Status: bsiMet, Source: srcMST,
		Tests: []string{"TestPrivateDeviceActionsCannotBeCommanded", "TestNoticeSaysWhatIsNeverSent"}},
	{ID: "MDM.2.2.02", Key: "integration", Status: bsiMet, Source: srcMST,
		Tests: []string{"TestAnEnrolledPhoneReceivesItsCommands"}},
	{ID: "MDM.2.2.03", Key: "payload", Status: bsiMet, Source: srcMST,
		Tests: []string{"TestCAKeysAreSealedAtRest", "TestCredentialsAreSealed"}},
	{ID: "MDM.2.2.04", Key: "access", Status: bsiMet, Source: srcMST,
		Tests: []string{"TestFirstSignInSetsUpTheSecondFactorAndThePassword", "TestWrongPasswordsLockTheAccount",
			"TestEveryRouteKeepsTheRoleMatrixAndTheTenantWall"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return rolesText(f.Roles, t) }},
	{ID: "MDM.2.6.04", Key: "profiles", Status: bsiMet, Source: srcMST,
		Tests: []string{"TestAPolicyReachesThePlatformOncePerChange", "TestPolicyUpdateOnAnOldVersionIsRefused"}},
	{ID: "MDM.2.7.02", Key: "provision", Status: bsiMet, Source: srcMST,
		Tests: []string{"TestAWorkAppIsInstalledOnceTheEmployeeHoldsItsLicence", "TestPolicyEditorMakesAFormFromTheAndroidAppSchema"}},
	{ID: "MDM.2.8.01", Key: "admins", Status: bsiOperator, Source: srcMST},
	{ID: "MDM.2.8.02", Key: "backup", Status: bsiShared, Source: srcMST,
		Tests: []string{"TestABackupRestoresWithItsKeyOnly"}},
	{ID: "MDM.2.8.03", Key: "incidents", Status: bsiShared, Source: srcMST,
		Tests:   []string{"TestInactiveDevicesAreFlaggedThenActedOnOnce", "TestRemovingADevice"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return inactivitySetting(f.Settings, t) }},
	{ID: "MDM.2.8.04", Key: "awareness", Status: bsiShared, Source: srcMST,
		Tests: []string{"TestNoticeSaysWhatIsNeverCollected", "TestNoticeIsWrittenInGermanAndEnglish"}},
	{ID: "MDM.2.x", Key: "unmapped", Status: bsiOperator, Source: srcMSTCheck},
	// Grundschutz++, where DESIGN names a requirement.
	{ID: "Grundschutz++", Key: "mfa", Status: bsiMet, Source: srcGSPP,
		Tests: []string{"TestFirstSignInSetsUpTheSecondFactorAndThePassword"}},
	{ID: "Grundschutz++", Key: "inactivity", Status: bsiMet, Source: srcGSPP,
		Tests:   []string{"TestDataProtectionSettingsRefuseNonsense", "TestInactiveDevicesAreFlaggedThenActedOnOnce"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return inactivitySetting(f.Settings, t) }},
	{ID: "Grundschutz++", Key: "logs", Status: bsiMet, Source: srcGSPP,
		Tests:   []string{"TestAuditVerifyFindsTampering", "TestEventsRemovedWithoutAPruneEventAreReported"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return auditSetting(f.Settings, t) }},
}

// bsiMapping is the mapping of the BSI requirements for mobile device management to
// what trennwand does, what this installation is set to, and what the operator must do.
func bsiMapping(f dataprotection.DocumentFacts, t texts) document {
	m := &table{Head: []string{t.T("bsi.requirement"), t.T("bsi.status"), t.T("bsi.how"), t.T("bsi.proof"), t.T("bsi.source")}}
	for _, r := range bsiRequirements {
		how := t.T("bsi." + r.Key + ".how")
		if r.Setting != nil {
			how += " " + t.T("bsi.now", args("Setting", r.Setting(f, t)))
		}
		m.Rows = append(m.Rows, []string{r.ID + " " + t.T("bsi."+r.Key+".title"), t.T("bsi.status." + string(r.Status)),
			how, strings.Join(r.Tests, ", "), t.T("bsi.source." + string(r.Source))})
	}
	return document{Intro: t.Numbered("bsi.intro"), Sections: []section{
		{Key: "mapping", Heading: t.T("bsi.mapping"), Table: m},
		{Key: "operator", Heading: t.T("bsi.operator"), Items: t.Numbered("bsi.operator")},
	}}
}
