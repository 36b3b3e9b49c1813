package ddmschema

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	appManaged    = "com.apple.configuration.app.managed"
	passcode      = "com.apple.configuration.passcode.settings"
	subscriptions = "com.apple.configuration.management.status-subscriptions"
	dataAsset     = "com.apple.asset.data"
	userIdentity  = "com.apple.asset.useridentity"
	scepAsset     = "com.apple.asset.credential.scep"
	activation    = "com.apple.activation.simple"
	mail          = "com.apple.configuration.account.mail"
	exchange      = "com.apple.configuration.account.exchange"
	// softwareUpdate is a configuration Apple allows on supervised and device enrolments
	// only: a User Enrolment must refuse it.
	softwareUpdate = "com.apple.configuration.softwareupdate.enforcement.specific"
)

// checkCase is one payload and what the check must say of it: nothing, or one problem at
// a path.
type checkCase struct {
	name       string
	typ        string
	payload    string
	userEnrol  bool
	wantPath   string
	wantReason Reason
}

var checkCases = []checkCase{
	{"app by bundle ID", appManaged, `{"BundleID":"de.stadt.dienstapp","InstallBehavior":{"Install":"Required","License":{"Assignment":"User"}}}`, true, "", ""},
	{"app with associated domains", appManaged, `{"AppStoreID":"123456","Attributes":{"AssociatedDomains":["work.example"]}}`, true, "", ""},
	{"app install mode outside the list", appManaged, `{"BundleID":"a.b","InstallBehavior":{"Install":"Sometimes"}}`, true, "InstallBehavior.Install", NotAllowedValue},
	{"app licence of the wrong type", appManaged, `{"BundleID":"a.b","InstallBehavior":{"License":"User"}}`, true, "InstallBehavior.License", WrongType},
	{"app with an unknown key", appManaged, `{"BundleID":"a.b","Silent":true}`, true, "Silent", UnknownKey},
	{"app domain that is not a string", appManaged, `{"BundleID":"a.b","Attributes":{"AssociatedDomains":[42]}}`, true, "Attributes.AssociatedDomains[0]", WrongType},
	{"app backup flag as a string", appManaged, `{"BundleID":"a.b","IncludeInBackup":"yes"}`, true, "IncludeInBackup", WrongType},

	{"passcode of six digits", passcode, `{"RequirePasscode":true,"MinimumLength":6,"MaximumInactivityInMinutes":5}`, true, "", ""},
	{"passcode longer than Apple allows", passcode, `{"MinimumLength":20}`, true, "MinimumLength", NotAllowedValue},
	{"passcode length as a real", passcode, `{"MinimumLength":6.5}`, true, "MinimumLength", WrongType},
	{"passcode attempts below the minimum", passcode, `{"MaximumFailedAttempts":1}`, true, "MaximumFailedAttempts", NotAllowedValue},
	{"passcode key only macOS has", passcode, `{"ChangeAtNextAuth":true}`, true, "ChangeAtNextAuth", NotOnIOS},

	{"status subscriptions", subscriptions, `{"StatusItems":[{"Name":"passcode.is-compliant"},{"Name":"app.managed.list"}]}`, true, "", ""},
	{"status subscriptions without items", subscriptions, `{}`, true, "StatusItems", Missing},
	{"status subscription without a name", subscriptions, `{"StatusItems":[{"Name":"passcode.is-present"},{}]}`, true, "StatusItems[1].Name", Missing},
	{"status subscriptions as an object", subscriptions, `{"StatusItems":{"Name":"x"}}`, true, "StatusItems", WrongType},

	{"data asset", dataAsset, `{"Reference":{"DataURL":"https://mdm.example/ddm/data/1","ContentType":"application/json","Size":120,"Hash-SHA-256":"ab"},"Authentication":{"Type":"MDM"}}`, true, "", ""},
	{"data asset without its URL", dataAsset, `{"Reference":{"ContentType":"application/json"}}`, true, "Reference.DataURL", Missing},
	{"data asset authenticated otherwise", dataAsset, `{"Reference":{"DataURL":"https://a/b"},"Authentication":{"Type":"Basic"}}`, true, "Authentication.Type", NotAllowedValue},
	{"data asset size as a string", dataAsset, `{"Reference":{"DataURL":"https://a/b","Size":"120"}}`, true, "Reference.Size", WrongType},

	{"user identity", userIdentity, `{"FullName":"Erika Mustermann","EmailAddress":"erika.mustermann@stadt.example"}`, true, "", ""},
	{"user identity with a phone number", userIdentity, `{"FullName":"E","PhoneNumber":"+49 30 1234"}`, true, "PhoneNumber", UnknownKey},

	{"SCEP credential asset", scepAsset, `{"Reference":{"DataURL":"https://mdm.example/ddm/scep/1","ContentType":"application/json"},"Accessible":"AfterFirstUnlock"}`, true, "", ""},
	{"SCEP credential asset without a reference", scepAsset, `{"Accessible":"Default"}`, true, "Reference", Missing},
	{"SCEP credential asset accessible always", scepAsset, `{"Reference":{"DataURL":"https://a/b"},"Accessible":"Always"}`, true, "Accessible", NotAllowedValue},

	{"activation", activation, `{"StandardConfigurations":["cfg.passcode","cfg.app.1"]}`, true, "", ""},
	{"activation with a predicate", activation, `{"StandardConfigurations":["cfg"],"Predicate":"@status(device.operating-system.version) >= '17'"}`, true, "", ""},
	{"activation without configurations", activation, `{"Predicate":"TRUEPREDICATE"}`, true, "StandardConfigurations", Missing},
	{"activation naming a configuration by number", activation, `{"StandardConfigurations":["cfg",7]}`, true, "StandardConfigurations[1]", WrongType},

	{"IMAP mail account", mail, `{"VisibleName":"Dienstpost","UserIdentityAssetReference":"asset.user",
		"IncomingServer":{"ServerType":"IMAP","HostName":"imap.stadt.example","Port":993,"AuthenticationMethod":"Password"},
		"OutgoingServer":{"HostName":"smtp.stadt.example","Port":465,"AuthenticationMethod":"Password"}}`, true, "", ""},
	{"mail account without its outgoing server", mail, `{"IncomingServer":{"ServerType":"IMAP","HostName":"h","AuthenticationMethod":"None"}}`, true, "OutgoingServer", Missing},
	{"mail account over a protocol iOS lacks", mail, `{"IncomingServer":{"ServerType":"MAPI","HostName":"h","AuthenticationMethod":"None"},
		"OutgoingServer":{"HostName":"h","AuthenticationMethod":"None"}}`, true, "IncomingServer.ServerType", NotAllowedValue},
	{"Exchange account with a device certificate", exchange, `{"EnabledProtocolTypes":["EAS"],"HostName":"mail.stadt.example",
		"UserIdentityAssetReference":"asset.user","AuthenticationIdentityAssetReference":"asset.scep"}`, true, "", ""},
	{"Exchange account over POP", exchange, `{"EnabledProtocolTypes":["POP"]}`, true, "EnabledProtocolTypes[0]", NotAllowedValue},
	{"Exchange port only macOS reads", exchange, `{"EnabledProtocolTypes":["EAS"],"Port":443}`, true, "Port", NotOnIOS},

	{"software update refused in User Enrolment", softwareUpdate, `{"TargetOSVersion":"18.2","TargetLocalDateTime":"2026-12-24T18:00:00"}`, true, "", NotInUserEnrolment},
	{"software update on a device enrolment", softwareUpdate, `{"TargetOSVersion":"18.2","TargetLocalDateTime":"2026-12-24T18:00:00"}`, false, "", ""},
	{"a type only macOS has", "com.apple.configuration.diskmanagement.settings", `{}`, false, "", NotOnIOS},
	{"an unknown type", "com.example.configuration.coffee", `{}`, true, "", UnknownType},
	{"a payload that is not JSON", passcode, `{"MinimumLength":`, true, "", Malformed},
	{"a payload that is an array", passcode, `[]`, true, "", WrongType},
	{"a payload followed by more", passcode, `{} {}`, true, "", Malformed},
}

func TestCheckTellsGoodPayloadsFromBadOnes(t *testing.T) {
	for _, tc := range checkCases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, Check(tc.typ, []byte(tc.payload), tc.userEnrol), tc.wantPath, tc.wantReason)
		})
	}
}

// expect asserts that err is nil when no reason is wanted, and otherwise an *Error whose
// problems include the reason at the path.
func expect(t *testing.T, err error, path string, reason Reason) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want an *Error with %q at %q", err, reason, path)
	}
	for _, p := range e.Problems {
		if p.Path == path && p.Reason == reason {
			if !strings.Contains(err.Error(), string(reason)) || (path != "" && !strings.Contains(err.Error(), path)) {
				t.Fatalf("message %q does not name the path and the reason", err)
			}
			return
		}
	}
	t.Fatalf("problems %v, want %q at %q", e.Problems, reason, path)
}

func TestCheckDeclarationReadsTheEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name, doc  string
		wantPath   string
		wantReason Reason
	}{
		{"whole declaration", `{"Type":"com.apple.configuration.passcode.settings","Identifier":"cfg.passcode","ServerToken":"3f2a","Payload":{"MinimumLength":6}}`, "", ""},
		{"payload at fault", `{"Type":"com.apple.configuration.passcode.settings","Identifier":"i","ServerToken":"t","Payload":{"MinimumLength":"6"}}`, "Payload.MinimumLength", WrongType},
		{"no server token", `{"Type":"com.apple.asset.useridentity","Identifier":"i","Payload":{}}`, "ServerToken", Missing},
		{"unknown type", `{"Type":"com.example.x","Identifier":"i","ServerToken":"t","Payload":{}}`, "Type", UnknownType},
		{"refused in User Enrolment", `{"Type":"` + softwareUpdate + `","Identifier":"i","ServerToken":"t","Payload":{"TargetOSVersion":"18"}}`, "Type", NotInUserEnrolment},
		{"not an object", `"declaration"`, "", WrongType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, CheckDeclaration([]byte(tc.doc), true), tc.wantPath, tc.wantReason)
		})
	}
}

func TestCheckCredentialReadsTheSCEPDocument(t *testing.T) {
	const scep = "com.apple.credential.scep"
	expect(t, CheckCredential(scep, []byte(`{"URL":"https://mdm.example/scep/t1","Challenge":"c-1","Keysize":2048,
		"Subject":[[["CN","erika.mustermann@stadt.example"]],[["O","Stadt Beispiel"]]],"SubjectAltName":{"rfc822Name":"erika@stadt.example"}}`), true), "", "")
	expect(t, CheckCredential(scep, []byte(`{"URL":"https://a/scep","Keysize":3072}`), true), "Keysize", NotAllowedValue)
	expect(t, CheckCredential(scep, []byte(`{"Challenge":"c"}`), true), "URL", Missing)
	expect(t, CheckCredential(scep, []byte(`{"URL":"https://a","Subject":[[["CN"]]]}`), true), "Subject[0][0]", NotAllowedValue)
}

func TestStatusItemsOfAUserEnrolment(t *testing.T) {
	for name, want := range map[string]bool{
		"passcode.is-compliant":            true,
		"passcode.is-present":              true,
		"device.operating-system.version":  true,
		"app.managed.list":                 true,
		"management.declarations":          true,
		"security.certificate.list":        true,
		"device.identifier.serial-number":  false, // hardware identifiers stay private
		"device.identifier.udid":           false,
		"device.power.battery-health":      false,
		"diskmanagement.filevault.enabled": false, // macOS only
		"no.such.item":                     false,
	} {
		if got := StatusItemAllowed(name, true); got != want {
			t.Errorf("StatusItemAllowed(%q, user enrolment) = %t, want %t", name, got, want)
		}
	}
	if !StatusItemAllowed("device.identifier.serial-number", false) {
		t.Error("a device enrolment may not report its serial number")
	}
	items := StatusItems(true)
	if !slices.Contains(items, "passcode.is-compliant") || slices.Contains(items, "device.identifier.udid") || !slices.IsSorted(items) {
		t.Errorf("StatusItems(user enrolment) = %v", items)
	}
}

func TestDeclarationTypesOfAUserEnrolment(t *testing.T) {
	ue, all := DeclarationTypes(true), DeclarationTypes(false)
	for _, typ := range []string{appManaged, passcode, subscriptions, dataAsset, userIdentity, scepAsset, activation, mail, exchange} {
		if !slices.Contains(ue, typ) {
			t.Errorf("%s is missing from the User Enrolment's types", typ)
		}
	}
	if slices.Contains(ue, softwareUpdate) || !slices.Contains(all, softwareUpdate) {
		t.Errorf("%s: in User Enrolment %t, in all %t; want false, true", softwareUpdate, slices.Contains(ue, softwareUpdate), slices.Contains(all, softwareUpdate))
	}
}

func TestCheckStatusItemReadsReportedValues(t *testing.T) {
	expect(t, CheckStatusItem("passcode.is-compliant", []byte(`false`), true), "", "")
	expect(t, CheckStatusItem("passcode.is-compliant", []byte(`"no"`), true), "", WrongType)
	expect(t, CheckStatusItem("app.managed.list", []byte(`[{"identifier":"de.stadt.app","state":"managed","version":"2.1"},{"identifier":"x","_removed":true}]`), true), "", "")
	expect(t, CheckStatusItem("app.managed.list", []byte(`[{"identifier":"a","state":"sleeping"}]`), true), "[0].state", NotAllowedValue)
	expect(t, CheckStatusItem("management.declarations", []byte(`{"activations":[],"assets":[],"management":[],
		"configurations":[{"identifier":"c","server-token":"t","active":false,"valid":"invalid","reasons":[{"code":"Error.ConfigurationNotSupported","details":{"Identifier":"c"}}]}]}`), true), "", "")
	expect(t, CheckStatusItem("management.declarations", []byte(`{"activations":[],"assets":[],"management":[],"configurations":[{"identifier":"c"}]}`), true), "configurations[0].server-token", Missing)
	expect(t, CheckStatusItem("security.certificate.list", []byte(`[{"identifier":"cert.1","_removed":true}]`), true), "", "")
	expect(t, CheckStatusItem("security.certificate.list", []byte(`[{"identifier":"cert.1","is-identity":true}]`), true), "[0].subject-summary", Missing)
	expect(t, CheckStatusItem("device.identifier.udid", []byte(`"x"`), true), "", NotInUserEnrolment)
}

func TestDescribeSaysWhereATypeBelongs(t *testing.T) {
	info, ok := Describe(appManaged)
	if !ok || info.Kind != "configuration" || info.IOSIntroduced != "17.2" || !info.UserEnrolment {
		t.Errorf("Describe(app.managed) = %+v, %t", info, ok)
	}
	if info, ok := Describe(scepAsset); !ok || info.Kind != "asset" || info.IOSIntroduced != "17.0" {
		t.Errorf("Describe(credential.scep) = %+v, %t", info, ok)
	}
	if _, ok := Describe("com.example.x"); ok {
		t.Error("an unknown type was described")
	}
	if len(AppleCommit) != 40 {
		t.Errorf("AppleCommit = %q, want the commit the facts came from", AppleCommit)
	}
}

func FuzzCheck(f *testing.F) {
	for _, tc := range checkCases {
		f.Add(tc.typ, []byte(tc.payload), tc.userEnrol)
	}
	f.Fuzz(func(t *testing.T, typ string, payload []byte, userEnrolment bool) {
		err := Check(typ, payload, userEnrolment)
		var e *Error
		if err != nil && (!errors.As(err, &e) || len(e.Problems) == 0 || len(e.Problems) > maxProblems) {
			t.Fatalf("Check returned %v, want nil or an *Error with problems", err)
		}
		_ = CheckDeclaration(payload, userEnrolment)
		_ = CheckCredential(typ, payload, userEnrolment)
		_ = CheckStatusItem(typ, payload, userEnrolment)
	})
}
