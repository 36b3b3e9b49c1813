package ios_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	kddm "github.com/jessepeterson/kmfddm/ddm"

	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// enrolledOn enrols a phone whose Authenticate tells the OS version.
func (s *site) enrolledOn(t testing.TB, name, osVersion string) *phone {
	t.Helper()
	p := s.certified(t, name)
	auth := map[string]any{"MessageType": "Authenticate", "EnrollmentID": p.enrollmentID, "Topic": testTopic, "OSVersion": osVersion}
	if status := p.checkIn(t, auth); status != http.StatusOK {
		t.Fatalf("Authenticate: HTTP %d", status)
	}
	if status := p.checkIn(t, p.tokenUpdateMessage()); status != http.StatusOK {
		t.Fatalf("TokenUpdate: HTTP %d", status)
	}
	return p
}

// declarative sends a DeclarativeManagement check-in and returns the HTTP status and the
// answer's body.
func (p *phone) declarative(t *testing.T, endpoint string, data []byte) (int, []byte) {
	t.Helper()
	msg := map[string]any{"MessageType": "DeclarativeManagement", "EnrollmentID": p.enrollmentID, "Endpoint": endpoint}
	if data != nil {
		msg["Data"] = data
	}
	return p.exchange(t, p.transport.DoCheckIn, msg)
}

// sync does what a phone does on a DeclarativeManagement command: it reads the
// declaration items and fetches every declaration whose server token it does not hold
// yet. It returns the identifiers it fetched and the declarations it holds now.
func (p *phone) sync(t *testing.T, held map[string]kddm.Declaration) []string {
	t.Helper()
	status, body := p.declarative(t, "declaration-items", nil)
	var items kddm.DeclarationItems
	if status != http.StatusOK || json.Unmarshal(body, &items) != nil {
		t.Fatalf("declaration-items: HTTP %d %s", status, body)
	}
	var fetched []string
	groups := map[string][]kddm.ManifestDeclaration{"activation": items.Declarations.Activations, "asset": items.Declarations.Assets,
		"configuration": items.Declarations.Configurations, "management": items.Declarations.Management}
	for kind, group := range groups {
		for _, m := range group {
			if held[m.Identifier].ServerToken == m.ServerToken {
				continue
			}
			status, body := p.declarative(t, "declaration/"+kind+"/"+m.Identifier, nil)
			var d kddm.Declaration
			if status != http.StatusOK || json.Unmarshal(body, &d) != nil || d.Identifier != m.Identifier || d.ServerToken != m.ServerToken {
				t.Fatalf("declaration %s/%s: HTTP %d %s", kind, m.Identifier, status, body)
			}
			// Every declaration served is one Apple's schema allows on a User Enrolment.
			if err := ddmschema.CheckDeclaration(body, true); err != nil {
				t.Errorf("declaration %s/%s: %v", kind, m.Identifier, err)
			}
			held[m.Identifier] = d
			fetched = append(fetched, m.Identifier)
		}
	}
	slices.Sort(fetched)
	return fetched
}

// status sends a status report and fails unless it is taken.
func (p *phone) status(t *testing.T, report string) {
	t.Helper()
	if status, body := p.declarative(t, "status", []byte(report)); status != http.StatusOK {
		t.Fatalf("status report: HTTP %d %s", status, body)
	}
}

// zeitApp is a work app without a managed configuration: declarations install it.
const zeitApp = "de.musterstadt.zeit"

// declarativePolicy is the tenant's default policy: a work passcode, whose rule has no
// grace period, the mail app with its configuration and the time-recording app without.
func (s *site) declarativePolicy(t testing.TB) mdm.WorkPolicy {
	t.Helper()
	ctx := context.Background()
	policy, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung", Default: true, WorkPasscodeRequired: true,
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: mailApp, InstallType: mdm.InstallRequired, ManagedConfig: `{"server":"mail.musterstadt.de"}`},
			{Platform: mdm.PlatformIOS, AppID: zeitApp, InstallType: mdm.InstallRequired}}})
	if err != nil {
		t.Fatal(err)
	}
	rules := []compliance.RuleSetting{{Rule: compliance.RuleWorkPasscode, Consequences: []compliance.Consequence{compliance.ConsequenceNotify}}}
	if err := s.svc.Compliance.SetPolicyRules(ctx, "admin:test", s.tenant, policy.ID, rules); err != nil {
		t.Fatal(err)
	}
	return policy
}

// An iPhone on iOS 17.4 is managed declaratively from its enrolment on: it is told to sync,
// fetches its declarations (the work app without configuration, the passcode rule, the
// status subscription; the app with a managed configuration comes by command, since Apple's
// schema gives app.managed no key for it) and reports its status by itself. A report that
// its passcode does not meet the rules makes it non-compliant at once, the next report that
// it does makes it compliant again; partial reports keep what earlier ones said. No daily
// status query is sent to it.
func TestAnIPhoneOnIOS17IsManagedDeclaratively(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		s.declarativePolicy(t)
		p := s.enrolledOn(t, "erika", "17.4")
		cmd := p.waitCommand(t)
		if cmd.Command.RequestType != "DeclarativeManagement" {
			t.Fatalf("first command %s, want DeclarativeManagement", cmd.Command.RequestType)
		}
		// The install is queued by a transaction of its own and may come a moment later.
		install := p.next(t, "Acknowledged", cmd.CommandUUID)
		if install == nil {
			install = p.waitCommand(t)
		}
		if install.Command.RequestType != "InstallApplication" || install.Command.Identifier != mailApp ||
			install.Command.Configuration["server"] != "mail.musterstadt.de" {
			t.Fatalf("then %+v, want the mail app installed with its configuration", install)
		}
		if next := p.next(t, "Acknowledged", install.CommandUUID); next != nil {
			t.Fatalf("then %s, want nothing more", next.Command.RequestType)
		}
		status, body := p.declarative(t, "tokens", nil)
		var tokens kddm.TokensResponse
		if status != http.StatusOK || json.Unmarshal(body, &tokens) != nil || tokens.SyncTokens.DeclarationsToken == "" {
			t.Fatalf("tokens: HTTP %d %s", status, body)
		}
		held := map[string]kddm.Declaration{}
		fetched := p.sync(t, held)
		want := []string{"trennwand.activation", "trennwand.app." + zeitApp, "trennwand.passcode", "trennwand.status"}
		if !slices.Equal(fetched, want) {
			t.Fatalf("fetched %v, want %v", fetched, want)
		}

		d := s.deviceOf(t, p)
		p.status(t, `{"StatusItems":{"device":{"operating-system":{"version":"17.5","build-version":"21F79"}},
			"passcode":{"is-compliant":true,"is-present":true},
			"app":{"managed":{"list":[{"identifier":"`+zeitApp+`","state":"managed","short-version":"2.1"},{"identifier":"com.private.game","state":"managed"}]}},
			"management":{"declarations":{"configurations":[{"identifier":"trennwand.passcode","active":false,"valid":"invalid","server-token":"x",
				"reasons":[{"code":"Error.ConfigurationCannotBeApplied","description":"cannot apply"}]}]}}}}`)
		if d = s.device(t, d.ID); d.OSVersion != "17.5" || d.Compliance != mdm.ComplianceCompliant {
			t.Fatalf("after the first report: OS %s, %s", d.OSVersion, d.Compliance)
		}
		apps := s.workApps(t, d)
		if a := apps[zeitApp]; a.State != storage.AppInstalled || a.Version != "2.1" || apps[mailApp].State != storage.AppInstalled || len(apps) != 2 {
			t.Errorf("work apps after the report: %+v", apps)
		}
		detail, err := s.svc.ViewDevice(ctx, "admin:test", s.tenant, d.ID)
		if err != nil || len(detail.Declarations) != 1 || detail.Declarations[0].State() != mdm.DeclarationInvalid ||
			detail.Declarations[0].Reasons != "Error.ConfigurationCannotBeApplied: cannot apply" {
			t.Errorf("declarations on the device page: %+v %v", detail.Declarations, err)
		}

		p.status(t, `{"StatusItems":{"passcode":{"is-compliant":false}}}`)
		if d = s.device(t, d.ID); d.Compliance != mdm.ComplianceNonCompliant || d.OSVersion != "17.5" {
			t.Fatalf("after passcode false: %s, OS %s", d.Compliance, d.OSVersion)
		}
		p.status(t, `{"StatusItems":{"passcode":{"is-compliant":true}}}`)
		if d = s.device(t, d.ID); d.Compliance != mdm.ComplianceCompliant {
			t.Fatalf("after passcode true again: %s", d.Compliance)
		}
		if apps := s.workApps(t, d); apps[zeitApp].Version != "2.1" {
			t.Errorf("a partial report lost the app version: %+v", apps)
		}
		if next := p.next(t, "Idle", ""); next != nil {
			t.Errorf("the declarative phone got %s", next.Command.RequestType)
		}
		due, err := s.nano.StatusDue(ctx, s.now().Add(48*time.Hour), 100)
		if err != nil || slices.Contains(due, p.enrollmentID) {
			t.Errorf("the declarative phone is due for the daily status query: %v %v", due, err)
		}
	})
}
