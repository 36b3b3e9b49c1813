package ios_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"testing"

	kddm "github.com/jessepeterson/kmfddm/ddm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A change of the work policy queues one DeclarativeManagement command for each
// declarative phone of the policy, and each phone then fetches only the declarations that
// changed; an older phone of the same policy gets the change as an MDM command, as before.
// A change that does not touch what the phones get sends them nothing.
func TestAPolicyChangeMakesEachPhoneFetchOnlyWhatChanged(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		policy := s.declarativePolicy(t)
		phones, held := s.twoDeclarativePhones(t, mailApp)
		old := s.enrolledOn(t, "paula", "16.7")
		old.takeInstalls(t, mailApp, zeitApp)

		policy.Description = "only the description changes"
		policy, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy)
		if err != nil {
			t.Fatal(err)
		}
		const kalender = "de.musterstadt.kalender"
		policy.Apps = append(policy.Apps, mdm.AppAssignment{Platform: mdm.PlatformIOS, AppID: kalender, InstallType: mdm.InstallRequired})
		if _, err := s.svc.WorkPolicy.UpdateWorkPolicy(ctx, "admin:test", s.tenant, policy); err != nil {
			t.Fatal(err)
		}
		for i, p := range phones {
			cmd := p.waitCommand(t)
			if cmd.Command.RequestType != "DeclarativeManagement" {
				t.Fatalf("phone %d got %s", i, cmd.Command.RequestType)
			}
			if next := p.next(t, "Acknowledged", cmd.CommandUUID); next != nil {
				t.Fatalf("phone %d got a second command %s: the first change must have sent nothing", i, next.Command.RequestType)
			}
			if fetched, want := p.sync(t, held[i]), []string{"trennwand.activation", "trennwand.app." + kalender}; !slices.Equal(fetched, want) {
				t.Errorf("phone %d fetched %v, want only %v", i, fetched, want)
			}
		}
		if install := old.waitCommand(t); install.Command.RequestType != "InstallApplication" || install.Command.Identifier != kalender {
			t.Errorf("the iOS 16 phone got %s %s, want InstallApplication of %s", install.Command.RequestType, install.Command.Identifier, kalender)
		}
	})
}

// takeInstalls has the phone take and acknowledge its commands until it has had the
// InstallApplication command of each app; any other command fails the test. The
// enrolment queues its apps one command at a time, so a phone that finds its queue empty
// has not necessarily had them all yet.
func (p *phone) takeInstalls(t *testing.T, bundleIDs ...string) {
	t.Helper()
	p.takeCommands(t, false, bundleIDs...)
}

// takeCommands is takeInstalls that also waits for the DeclarativeManagement command when
// sync is set.
func (p *phone) takeCommands(t *testing.T, sync bool, bundleIDs ...string) {
	t.Helper()
	for missing := slices.Clone(bundleIDs); len(missing) > 0 || sync; {
		cmd := p.waitCommand(t)
		for ; cmd != nil; cmd = p.next(t, "Acknowledged", cmd.CommandUUID) {
			switch cmd.Command.RequestType {
			case "InstallApplication":
				missing = slices.DeleteFunc(missing, func(id string) bool { return id == cmd.Command.Identifier })
			case "DeclarativeManagement":
				sync = false
			default:
				t.Fatalf("the phone got %s, want InstallApplication of %v", cmd.Command.RequestType, missing)
			}
		}
	}
}

// twoDeclarativePhones enrols Erika's phone on iOS 17.4 and Hans's on 18.1, lets each take
// its commands (the sync, and the install of each app of byCommand) and fetch its
// declarations, and returns them with what each holds.
func (s *site) twoDeclarativePhones(t *testing.T, byCommand ...string) ([]*phone, []map[string]kddm.Declaration) {
	t.Helper()
	phones := []*phone{s.enrolledOn(t, "erika", "17.4"), s.enrolledOn(t, "hans", "18.1")}
	held := make([]map[string]kddm.Declaration, len(phones))
	for i, p := range phones {
		p.takeCommands(t, true, byCommand...)
		held[i] = map[string]kddm.Declaration{}
		p.sync(t, held[i])
	}
	return phones, held
}

// A phone fetches only the declarations of its own set: one its policy does not have is
// not found, whoever else has it, in its tenant or another; a message for another
// enrolment is refused; a phone that is not managed declaratively is refused on the
// declarative channel.
func TestAPhoneFetchesOnlyItsOwnDeclarations(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		s.declarativePolicy(t)
		withPasscode := s.enrolledOn(t, "erika", "17.4")
		withPasscode.takeCommands(t, true, mailApp)
		plain, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Bauhof"})
		if err != nil {
			t.Fatal(err)
		}
		other := s.enrolledOn(t, "hans", "17.4")
		if _, err := s.svc.WorkPolicy.AssignWorkPolicy(ctx, "admin:test", s.tenant, s.deviceOf(t, other).ID, plain.ID); err != nil {
			t.Fatal(err)
		}
		// Once it follows the other policy, the passcode declaration is not the phone's.
		waitUntil(t, "the other phone follows its own policy", func() bool {
			own, _ := other.declarative(t, "declaration/configuration/trennwand.status", nil)
			foreign, _ := other.declarative(t, "declaration/configuration/trennwand.passcode", nil)
			return own == http.StatusOK && foreign == http.StatusNotFound
		})
		if status, _ := withPasscode.declarative(t, "declaration/configuration/trennwand.passcode", nil); status != http.StatusOK {
			t.Fatalf("the passcode declaration of the phone's own policy: HTTP %d", status)
		}
		for _, endpoint := range []string{"declaration/profile/x", "declarations", "declaration/configuration/"} {
			if status, _ := other.declarative(t, endpoint, nil); status != http.StatusBadRequest {
				t.Errorf("endpoint %q: HTTP %d, want 400", endpoint, status)
			}
		}

		// The other phone's token and certificate, the first phone's enrolment.
		impostor := *other
		impostor.enrollmentID = withPasscode.enrollmentID
		if status, _ := impostor.declarative(t, "declaration/configuration/trennwand.passcode", nil); status != http.StatusBadRequest {
			t.Errorf("a message for another enrolment: HTTP %d, want 400", status)
		}
		// A phone of another tenant, whose default policy has no passcode rule.
		home := s.tenant
		s.tenant = storetest.Tenant(t, s.svc, "nachbarort")
		if _, err := s.svc.WorkPolicy.CreateWorkPolicy(ctx, "admin:test", s.tenant, mdm.WorkPolicy{Name: "Verwaltung", Default: true}); err != nil {
			t.Fatal(err)
		}
		neighbour := s.enrolledOn(t, "nora", "18.0")
		s.tenant = home
		waitUntil(t, "the neighbour's phone has its set", func() bool {
			status, _ := neighbour.declarative(t, "declaration/configuration/trennwand.status", nil)
			return status == http.StatusOK
		})
		if status, _ := neighbour.declarative(t, "declaration/configuration/trennwand.passcode", nil); status != http.StatusNotFound {
			t.Errorf("another tenant's passcode declaration: HTTP %d, want 404", status)
		}

		old := s.enrolledOn(t, "paula", "16.7")
		if status, _ := old.declarative(t, "tokens", nil); status != http.StatusBadRequest {
			t.Errorf("an iOS 16 phone on the declarative channel: HTTP %d, want 400", status)
		}
		if status, _ := other.declarative(t, "status", []byte(`{"StatusItems":{"passcode":{"is-compliant":"no"}}}`)); status != http.StatusBadRequest {
			t.Errorf("a malformed status report: HTTP %d, want 400", status)
		}
	})
}

// A status report that is partly wrong is refused as a whole: the passcode it reports is
// not taken, and nothing of the phone changes — not the certificates of its work area
// either, when the list is not Apple's or too long.
func TestABadStatusReportChangesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		s.declarativePolicy(t)
		p := s.enrolledOn(t, "erika", "17.4")
		p.status(t, `{"StatusItems":{"passcode":{"is-compliant":true}}}`)
		p.status(t, certificateList(true, heldEntry("mdm", p.cert, true)))
		d := s.deviceOf(t, p)
		before, rows := s.snapshot(t), declarativeRows(t, s)
		tooMany := make([]map[string]any, 65)
		for i := range tooMany {
			tooMany[i] = map[string]any{"identifier": fmt.Sprint("c", i), "_removed": true}
		}
		for _, report := range []string{
			`{"StatusItems":{"passcode":{"is-compliant":false},"app":{"managed":{"list":[{"state":"managed"}]}}}}`,
			`{"StatusItems":{"passcode":{"is-compliant":false},"device":{"operating-system":{"version":18}}}}`,
			`{"StatusItems":{"passcode":{"is-compliant":false}}`,
			`{"FullReport":true,"StatusItems":{"passcode":{"is-compliant":false},"security":{"certificate":{"list":[{"identifier":"c","is-identity":true,"data":"AAAA"}]}}}}`,
			`{"FullReport":true,"StatusItems":{"security":{"certificate":{"list":[{"identifier":"c","is-identity":true,"data":"` +
				base64.StdEncoding.EncodeToString(make([]byte, 17<<10)) + `"}]}}}}`,
			certificateList(true, tooMany...),
		} {
			if status, _ := p.declarative(t, "status", []byte(report)); status != http.StatusBadRequest {
				t.Errorf("%s: HTTP %d, want 400", report, status)
			}
		}
		if after := s.snapshot(t); after != before || declarativeRows(t, s) != rows {
			t.Errorf("a refused report changed the installation:\n%s\n%s", before, after)
		}
		if got := s.device(t, d.ID); got.Compliance != d.Compliance {
			t.Errorf("compliance %s after refused reports, was %s", got.Compliance, d.Compliance)
		}
	})
}

// declarativeRows describes the declarative tables' rows.
func declarativeRows(t *testing.T, s *site) string {
	t.Helper()
	var out string
	for _, q := range []string{"SELECT COUNT(*) FROM ios_ddm_declaration_status", "SELECT COUNT(*) FROM ios_work_apps",
		"SELECT COUNT(*) FROM ios_ddm_enrolments WHERE status_at IS NOT NULL", "SELECT COUNT(*) FROM ios_ddm_certificates"} {
		var n int
		if err := s.st.Tables().DB().Raw(q).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprint(n) + " "
	}
	return out
}
