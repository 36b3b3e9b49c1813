package phonesim

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
)

const (
	activationType = "com.apple.activation.simple"
	appType        = "com.apple.configuration.app.managed"
	passcodeType   = "com.apple.configuration.passcode.settings"
	statusType     = "com.apple.configuration.management.status-subscriptions"
	mailType       = "com.apple.configuration.account.mail"
	identityType   = "com.apple.asset.useridentity"
	dataType       = "com.apple.asset.data"
	workApp        = "de.stadt.dienstapp"
)

const mailPayload = `{"VisibleName":"Dienstpost","UserIdentityAssetReference":"%s",
	"IncomingServer":{"ServerType":"IMAP","HostName":"imap.stadt.example","Port":993,"AuthenticationMethod":"Password"},
	"OutgoingServer":{"HostName":"smtp.stadt.example","Port":465,"AuthenticationMethod":"Password"}}`

// workPolicy serves a work policy's declaration set: a work app, a passcode rule, a work
// mail account with the employee's identity, status subscriptions and their activation.
func workPolicy(s *ddmServer) {
	s.put("configuration", passcodeType, "cfg.passcode", `{"RequirePasscode":true,"MinimumLength":6}`)
	s.put("configuration", appType, "cfg.app", `{"BundleID":"`+workApp+`","InstallBehavior":{"Install":"Required","License":{"Assignment":"User"}}}`)
	s.put("configuration", statusType, "cfg.status", `{"StatusItems":[{"Name":"passcode.is-compliant"},{"Name":"passcode.is-present"},
		{"Name":"app.managed.list"},{"Name":"device.operating-system.version"},{"Name":"management.client-capabilities"}]}`)
	s.put("asset", identityType, "asset.user", `{"FullName":"Erika Mustermann","EmailAddress":"erika@stadt.example"}`)
	s.put("configuration", mailType, "cfg.mail", strings.Replace(mailPayload, "%s", "asset.user", 1))
	s.put("activation", activationType, "act.work", `{"StandardConfigurations":["cfg.app","cfg.mail","cfg.passcode","cfg.status"]}`)
}

// wake wakes the phone as a push would and returns what the server got of it.
func wake(t *testing.T, s *ddmServer, p *Phone) ([]string, []statusReport) {
	t.Helper()
	if _, err := p.Wake(t.Context()); err != nil {
		t.Fatalf("wake: %v", err)
	}
	return s.taken()
}

// synced returns a phone on the iOS version that has synchronised the work policy once,
// with its server.
func synced(t *testing.T, osVersion string) (*ddmServer, *Phone) {
	t.Helper()
	s := newDDMServer(t)
	workPolicy(s)
	p := phoneAt(t, s, osVersion)
	s.sync("sync-1", false)
	wake(t, s, p)
	return s, p
}

// reportedItems reads a status report back into its items by name, checks each value
// against Apple's schema for a User Enrolment, and fails on anything in StatusItems that
// is not an item.
func reportedItems(t *testing.T, rep statusReport) map[string]any {
	t.Helper()
	found := map[string]any{}
	rebuilt := map[string]any{}
	for _, name := range ddmschema.StatusItems(false) {
		v, ok := dig(rep.StatusItems, name)
		if !ok {
			continue
		}
		if err := ddmschema.CheckStatusItem(name, mustJSON(t, v), true); err != nil {
			t.Errorf("reported %s: %v", name, err)
		}
		found[name] = v
		nest(rebuilt, name, v)
	}
	if !reflect.DeepEqual(rebuilt, rep.StatusItems) {
		t.Errorf("StatusItems hold more than status items: %s", mustJSON(t, rep.StatusItems))
	}
	return found
}

func dig(items map[string]any, name string) (any, bool) {
	parts := strings.Split(name, ".")
	var v any = items
	for _, part := range parts {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func TestAPhoneOnIOS18FetchesAppliesAndReportsItsDeclarations(t *testing.T) {
	s := newDDMServer(t)
	workPolicy(s)
	p := phoneAt(t, s, "18.5")
	s.sync("sync-1", false)
	endpoints, reports := wake(t, s, p)

	want := []string{"tokens", "declaration-items", "declaration/activation/act.work", "declaration/configuration/cfg.app",
		"declaration/configuration/cfg.mail", "declaration/configuration/cfg.passcode", "declaration/configuration/cfg.status",
		"declaration/asset/asset.user", "status"}
	if !slices.Equal(endpoints, want) {
		t.Fatalf("the phone asked for %v, want %v", endpoints, want)
	}
	if c := p.DDM(); c != (DDMCounters{Syncs: 1, Fetched: 6, LastFetched: 6, StatusReports: 1, AppsInstalled: 1}) {
		t.Errorf("counters %+v", c)
	}
	if apps := p.Apps(); !slices.Equal(apps, []string{workApp}) {
		t.Errorf("apps %v, want the work app", apps)
	}
	for _, d := range p.Declarations() {
		if !d.Valid || !d.Active || len(d.Reasons) > 0 {
			t.Errorf("declaration %+v is not valid and active", d)
		}
	}
	if len(reports) != 1 || !reports[0].FullReport || len(reports[0].Errors) != 0 {
		t.Fatalf("reports %+v, want one full report without errors", reports)
	}
	items := reportedItems(t, reports[0])
	if items["passcode.is-compliant"] != true || items["passcode.is-present"] != true || items["device.operating-system.version"] != "18.5" {
		t.Errorf("passcode and version reported as %v", items)
	}
	apps, _ := items["app.managed.list"].([]any)
	if len(apps) != 1 || apps[0].(map[string]any)["identifier"] != workApp || apps[0].(map[string]any)["declaration-identifier"] != "cfg.app" {
		t.Errorf("app.managed.list %v", apps)
	}
	decls := items["management.declarations"].(map[string]any)
	if n := len(decls["configurations"].([]any)); n != 4 {
		t.Errorf("management.declarations reports %d configurations, want 4", n)
	}
	caps := items["management.client-capabilities"].(map[string]any)
	statusItems := caps["supported-payloads"].(map[string]any)["status-items"].([]any)
	if slices.Contains(statusItems, any("device.identifier.serial-number")) {
		t.Error("the phone offers its serial number on a User Enrolment")
	}
}

func TestOnlyChangedDeclarationsAreFetchedAgain(t *testing.T) {
	s, p := synced(t, "18.5")

	s.put("configuration", passcodeType, "cfg.passcode", `{"RequirePasscode":true,"MinimumLength":8}`)
	s.sync("sync-2", false)
	endpoints, reports := wake(t, s, p)
	if want := []string{"tokens", "declaration-items", "declaration/configuration/cfg.passcode", "status"}; !slices.Equal(endpoints, want) {
		t.Fatalf("after a passcode change the phone asked for %v, want %v", endpoints, want)
	}
	if c := p.DDM(); c.LastFetched != 1 || c.Fetched != 7 {
		t.Errorf("counters %+v, want one declaration fetched again", c)
	}
	if len(reports) != 1 || reports[0].FullReport {
		t.Fatalf("reports %+v, want one report of changes", reports)
	}
	if items := reportedItems(t, reports[0]); !slices.Equal(slices.Sorted(maps.Keys(items)), []string{"management.declarations"}) {
		t.Errorf("the change report holds %v, want only the declarations' state", slices.Sorted(maps.Keys(items)))
	}

	// The tokens in the command and the token the phone holds agree: nothing is asked for.
	s.sync("sync-3", true)
	if endpoints, _ := wake(t, s, p); len(endpoints) != 0 {
		t.Errorf("an unchanged set made the phone ask for %v", endpoints)
	}
	if c := p.DDM(); c.Syncs != 3 || c.LastFetched != 0 {
		t.Errorf("counters %+v after an unchanged sync", c)
	}

	s.remove("cfg.app")
	s.put("activation", activationType, "act.work", `{"StandardConfigurations":["cfg.mail","cfg.passcode","cfg.status"]}`)
	s.sync("sync-4", false)
	endpoints, reports = wake(t, s, p)
	if want := []string{"tokens", "declaration-items", "declaration/activation/act.work", "status"}; !slices.Equal(endpoints, want) {
		t.Fatalf("after the app's removal the phone asked for %v, want %v", endpoints, want)
	}
	if apps := p.Apps(); len(apps) != 0 {
		t.Errorf("the work app stayed: %v", apps)
	}
	removed := reportedItems(t, reports[0])["app.managed.list"]
	if want := []any{map[string]any{"identifier": workApp, "_removed": true}}; !reflect.DeepEqual(removed, want) {
		t.Errorf("app.managed.list reported %v, want %v", removed, want)
	}
}

func TestPasscodeComplianceIsReportedWhenItChanges(t *testing.T) {
	s, p := synced(t, "17.4")

	for _, compliant := range []bool{false, true} {
		if err := p.SetPasscodeCompliant(t.Context(), compliant); err != nil {
			t.Fatal(err)
		}
		endpoints, reports := s.taken()
		if !slices.Equal(endpoints, []string{"status"}) || len(reports) != 1 || reports[0].FullReport {
			t.Fatalf("after the passcode changed: %v, %+v; want one report of changes", endpoints, reports)
		}
		items := reportedItems(t, reports[0])
		if want := map[string]any{"passcode.is-compliant": compliant}; !reflect.DeepEqual(items, want) {
			t.Errorf("reported %v, want %v", items, want)
		}
	}
	if err := p.SetPasscodeCompliant(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	if endpoints, _ := s.taken(); len(endpoints) != 0 {
		t.Errorf("an unchanged passcode was reported: %v", endpoints)
	}
}

func TestThePhoneRefusesWhatItsUserEnrolmentDoesNotTake(t *testing.T) {
	s := newDDMServer(t)
	s.putRaw("configuration", "com.apple.configuration.softwareupdate.enforcement.specific", "cfg.update",
		`{"TargetOSVersion":"18.2","TargetLocalDateTime":"2026-12-24T18:00:00"}`)
	s.putRaw("configuration", passcodeType, "cfg.odd", `{"MinimumLength":6,"Colour":"blue"}`)
	s.put("configuration", mailType, "cfg.mail", strings.Replace(mailPayload, "%s", "asset.gone", 1))
	s.put("configuration", statusType, "cfg.status", `{"StatusItems":[{"Name":"device.identifier.serial-number"},{"Name":"passcode.is-compliant"}]}`)
	s.put("configuration", appType, "cfg.app", `{"BundleID":"`+workApp+`"}`)
	s.put("asset", dataType, "asset.loose", `{"Reference":{"DataURL":"https://mdm.example/data/1"}}`)
	s.put("activation", activationType, "act", `{"StandardConfigurations":["cfg.update","cfg.odd","cfg.mail","cfg.status","cfg.app","cfg.nowhere"]}`)
	p := phoneAt(t, s, "17.1")
	s.sync("sync-1", false)
	_, reports := wake(t, s, p)

	want := map[string]struct {
		valid, active bool
		reason        string
	}{
		"act":         {true, true, "Error.MissingConfigurations"},
		"cfg.update":  {false, false, "Error.ConfigurationNotSupported"},
		"cfg.odd":     {false, false, "Error.UnknownPayloadKeys"},
		"cfg.mail":    {true, false, "Error.MissingAssets"},
		"cfg.status":  {true, true, ""},
		"cfg.app":     {false, false, "Error.ConfigurationNotSupported"}, // app.managed needs iOS 17.2
		"asset.loose": {true, false, "Info.NotReferencedByConfiguration"},
	}
	got := p.Declarations()
	if len(got) != len(want) {
		t.Fatalf("the phone holds %d declarations, want %d", len(got), len(want))
	}
	for _, d := range got {
		w := want[d.Identifier]
		if d.Valid != w.valid || d.Active != w.active || (w.reason == "") != (len(d.Reasons) == 0) || (w.reason != "" && d.Reasons[0] != w.reason) {
			t.Errorf("%s: valid %t, active %t, reasons %v; want %+v", d.Identifier, d.Valid, d.Active, d.Reasons, w)
		}
	}
	if len(reports) != 1 || len(reports[0].Errors) != 1 || reports[0].Errors[0].StatusItem != "device.identifier.serial-number" ||
		reports[0].Errors[0].Reasons[0].Code != "Error.NotSupported" {
		t.Fatalf("reports %+v, want the serial number's subscription refused", reports)
	}
	items := reportedItems(t, reports[0])
	if _, ok := items["device.identifier.serial-number"]; ok {
		t.Error("the serial number was reported")
	}
	if len(p.Apps()) != 0 {
		t.Error("an app of a refused declaration was installed")
	}
}

func TestAPhoneBelowIOS17StaysOnMDMCommands(t *testing.T) {
	s := newDDMServer(t)
	workPolicy(s)
	p := phoneAt(t, s, "16.7")
	s.sync("sync-1", false)
	s.command("info-1", map[string]any{"RequestType": "DeviceInformation", "Queries": []string{"OSVersion"}})
	s.command("security-1", map[string]any{"RequestType": "SecurityInfo"})
	if endpoints, _ := wake(t, s, p); len(endpoints) != 0 {
		t.Errorf("an iOS 16 phone spoke DDM: %v", endpoints)
	}
	if st := s.result("sync-1")["Status"]; st != "Error" {
		t.Errorf("DeclarativeManagement answered %v, want Error", st)
	}
	if v := s.result("info-1")["QueryResponses"]; !reflect.DeepEqual(v, map[string]any{"OSVersion": "16.7"}) {
		t.Errorf("DeviceInformation answered %v", v)
	}
	if v := s.result("security-1")["SecurityInfo"]; !reflect.DeepEqual(v, map[string]any{"PasscodeCompliant": true}) {
		t.Errorf("SecurityInfo answered %v", v)
	}
	if p.DDM() != (DDMCounters{}) {
		t.Errorf("counters %+v, want none", p.DDM())
	}

	raw, err := plist.Marshal(p.authenticate())
	if err != nil {
		t.Fatal(err)
	}
	var auth map[string]any
	if _, err := apple.DecodeCheckin(raw); err != nil || plist.Unmarshal(raw, &auth) != nil || auth["OSVersion"] != "16.7" {
		t.Errorf("Authenticate %s does not carry the OS version (%v)", raw, err)
	}
}

func TestAPhoneWithoutAVersionAnswersAsBefore(t *testing.T) {
	s := newDDMServer(t)
	p := phoneAt(t, s, "")
	s.command("info-1", map[string]any{"RequestType": "DeviceInformation", "Queries": []string{"OSVersion"}})
	s.sync("sync-1", false)
	wake(t, s, p)
	if r := s.result("info-1"); r["Status"] != "Acknowledged" || r["QueryResponses"] != nil {
		t.Errorf("DeviceInformation answered %v", r)
	}
	if st := s.result("sync-1")["Status"]; st != "Error" {
		t.Errorf("DeclarativeManagement answered %v, want Error", st)
	}
}

func TestDeclarationsTakeOverAnAppMDMInstalled(t *testing.T) {
	s := newDDMServer(t)
	p := phoneAt(t, s, "18.5")
	s.command("install-1", map[string]any{"RequestType": "InstallApplication", "Identifier": workApp})
	wake(t, s, p)
	workPolicy(s)
	s.sync("sync-1", false)
	wake(t, s, p)
	if c := p.DDM(); c.AppsTransferred != 1 || c.AppsInstalled != 0 {
		t.Errorf("counters %+v, want the app taken over, not installed again", c)
	}
	s.command("remove-1", map[string]any{"RequestType": "RemoveApplication", "Identifier": workApp})
	wake(t, s, p)
	if st := s.result("remove-1")["Status"]; st != "Error" || !slices.Equal(p.Apps(), []string{workApp}) {
		t.Errorf("RemoveApplication of a declared app answered %v, apps %v", st, p.Apps())
	}
}

func TestASyncThatFailedIsDoneAgainAtTheNextWakeUp(t *testing.T) {
	s := newDDMServer(t)
	workPolicy(s)
	p := phoneAt(t, s, "18.5")
	s.sync("sync-1", false)
	s.breakAt("declaration/configuration/cfg.mail")
	if _, err := p.Wake(t.Context()); err == nil || !strings.Contains(err.Error(), "database gone") {
		t.Fatalf("wake with a failing server: %v", err)
	}
	if c := p.DDM(); c.Syncs != 0 || len(p.Declarations()) != 0 {
		t.Errorf("a failed sync left counters %+v and declarations %v", c, p.Declarations())
	}
	s.breakAt("")
	s.taken()
	endpoints, reports := wake(t, s, p)
	if len(endpoints) != 9 || len(reports) != 1 || !reports[0].FullReport || len(p.Apps()) != 1 {
		t.Errorf("the second wake-up asked for %v and reported %d times; apps %v", endpoints, len(reports), p.Apps())
	}
}

func TestStatusReportsAreAppleJSON(t *testing.T) {
	var st reportedState
	rep, _ := st.changes(map[string]any{"passcode.is-compliant": true, "device.operating-system.version": "18.5"}, nil, true)
	var doc map[string]any
	if err := json.Unmarshal(mustJSON(t, rep), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"StatusItems": map[string]any{"passcode": map[string]any{"is-compliant": true},
		"device": map[string]any{"operating-system": map[string]any{"version": "18.5"}}}, "Errors": []any{}, "FullReport": true}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("report %s", mustJSON(t, doc))
	}
}
