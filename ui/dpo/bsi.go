package dpo

import (
	"strings"

	"github.com/trennwand/trennwand/mdm/dataprotection"
)

// bsiStatus says who meets a requirement: trennwand, trennwand with the operator, or
// the operator alone.
type bsiStatus string

const (
	bsiMet      bsiStatus = "met"
	bsiShared   bsiStatus = "shared"
	bsiOperator bsiStatus = "operator"
)

// bsiRequirement is one row of the BSI mapping. ID is the requirement's identifier as
// BSI publishes it (IT-Grundschutz module or the minimum standard for MDM; Grundschutz++
// where DESIGN names a requirement without one); Key names its texts (bsi.<key>.title,
// bsi.<key>.how), which say in our own words what it asks and how it is met. Tests are
// the test functions that prove trennwand's part; a test fails if one of them no
// longer exists, and a row trennwand meets must name at least one.
type bsiRequirement struct {
	ID, Key string
	Status  bsiStatus
	Tests   []string
	// Setting, when set, adds how this installation is set to the row.
	Setting func(dataprotection.DocumentFacts, texts) string
}

// SYS.3.2.2.A1 and A2, SYS.3.2.1.A5 and the MDM.2.x.y identifiers of the minimum
// standard were checked against published references; the numbering of SYS.3.2.2.A4 and
// A5 is to be checked against the current edition of the Kompendium.
var bsiRequirements = []bsiRequirement{
	{ID: "SYS.3.2.2.A1", Key: "strategy", Status: bsiOperator},
	{ID: "SYS.3.2.2.A2", Key: "devices", Status: bsiShared,
		Tests: []string{"TestAnOldPatchLeadsToConsequencesOnceAndEndsWithTheUpdate"}},
	{ID: "SYS.3.2.2.A4", Key: "baseline", Status: bsiMet,
		Tests: []string{"TestAnEnrolledPhoneReceivesItsCommands"}},
	{ID: "SYS.3.2.2.A5", Key: "client", Status: bsiMet,
		Tests: []string{"TestAnAndroidEmployeeReadsTheNoticeThenGetsTheLink"}},
	{ID: "SYS.3.2.1.A5", Key: "updates", Status: bsiShared,
		Tests: []string{"TestAnOldIPhoneIsToldAndLosesWorkAccessUntilItUpdates"}},
	{ID: "MDM.2.2.01", Key: "byod", Status: bsiMet,
		Tests: []string{"TestPrivateDeviceActionsCannotBeCommanded", "TestNoticeSaysWhatIsNeverSent"}},
	{ID: "MDM.2.2.03", Key: "payload", Status: bsiMet,
		Tests: []string{"TestCAKeysAreSealedAtRest", "TestCredentialsAreSealed"}},
	{ID: "MDM.2.2.04", Key: "access", Status: bsiMet,
		Tests: []string{"TestFirstSignInSetsUpTheSecondFactorAndThePassword", "TestWrongPasswordsLockTheAccount",
			"TestEveryRouteKeepsTheRoleMatrixAndTheTenantWall"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return rolesText(f.Roles, t) }},
	{ID: "MDM.2.8.01", Key: "admins", Status: bsiOperator},
	{ID: "MDM.2.8.02", Key: "backup", Status: bsiShared,
		Tests: []string{"TestABackupRestoresWithItsKeyOnly"}},
	{ID: "MDM.2.8.03", Key: "incidents", Status: bsiShared,
		Tests:   []string{"TestInactiveDevicesAreFlaggedThenActedOnOnce", "TestRemovingADevice"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return inactivitySetting(f.Settings, t) }},
	{ID: "MDM.2.8.04", Key: "awareness", Status: bsiShared,
		Tests: []string{"TestNoticeSaysWhatIsNeverCollected", "TestNoticeIsWrittenInGermanAndEnglish"}},
	{ID: "Grundschutz++", Key: "mfa", Status: bsiMet,
		Tests: []string{"TestFirstSignInSetsUpTheSecondFactorAndThePassword"}},
	{ID: "Grundschutz++", Key: "inactivity", Status: bsiMet,
		Tests:   []string{"TestDataProtectionSettingsRefuseNonsense", "TestInactiveDevicesAreFlaggedThenActedOnOnce"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return inactivitySetting(f.Settings, t) }},
	{ID: "Grundschutz++", Key: "logs", Status: bsiMet,
		Tests:   []string{"TestAuditVerifyFindsTampering", "TestEventsRemovedWithoutAPruneEventAreReported"},
		Setting: func(f dataprotection.DocumentFacts, t texts) string { return auditSetting(f.Settings, t) }},
}

// bsiMapping is the mapping of the BSI requirements for mobile device management to
// what trennwand does, what this installation is set to, and what the operator must do.
func bsiMapping(f dataprotection.DocumentFacts, t texts) document {
	m := &table{Head: []string{t.T("bsi.requirement"), t.T("bsi.status"), t.T("bsi.how"), t.T("bsi.proof")}}
	for _, r := range bsiRequirements {
		how := t.T("bsi." + r.Key + ".how")
		if r.Setting != nil {
			how += " " + t.T("bsi.now", args("Setting", r.Setting(f, t)))
		}
		m.Rows = append(m.Rows, []string{r.ID + " " + t.T("bsi."+r.Key+".title"), t.T("bsi.status." + string(r.Status)),
			how, strings.Join(r.Tests, ", ")})
	}
	return document{Intro: t.Numbered("bsi.intro"), Sections: []section{
		{Key: "mapping", Heading: t.T("bsi.mapping"), Table: m},
		{Key: "operator", Heading: t.T("bsi.operator"), Items: t.Numbered("bsi.operator")},
	}}
}
