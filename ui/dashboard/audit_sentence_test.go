package dashboard_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// The parties of a statement as the trail names them: an administrator with a role, the
// Android device of an employee, and a work policy.
var (
	anna   = audit.Party{Kind: audit.Admin, ID: "adm1id", Name: "anna.admin@musterstadt.example", Role: "admin"}
	phone  = audit.Party{Kind: audit.Device, ID: "dev1id", Platform: "android", Owner: "Erika Muster"}
	policy = audit.Party{Kind: audit.WorkPolicy, ID: "pol1id", Name: "Standard"}
)

// Every action of the catalogue reads as a sentence in German and in English: a catalogue
// without the sentence fails here, not on a page in front of a data-protection officer.
// The sentence names the parties and never their identifiers.
func TestEveryActionReadsAsASentenceInBothLanguages(t *testing.T) {
	c, err := dashboard.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	actions := audit.Actions()
	slices.Sort(actions)
	for _, lang := range []string{"de", "en"} {
		l := c.Localizer(lang)
		seen := map[string]audit.Action{}
		for _, a := range actions {
			if id := "audit.event." + string(a); l.T(id) == id {
				t.Errorf("%s: no sentence for %s", lang, a)
				continue
			}
			for _, subject := range []audit.Party{phone, policy, anna} {
				s := dashboard.Sentence(l, audit.Statement{Event: audit.Event{Action: a, Details: audit.NoDetails}, Actor: anna, Subject: subject})
				for _, bad := range []string{"audit.", "<no value>", "{{", anna.ID, phone.ID, policy.ID} {
					if strings.Contains(s, bad) {
						t.Errorf("%s %s: %q contains %q", lang, a, s, bad)
					}
				}
				if first := []rune(s)[0]; !strings.HasPrefix(s, anna.Name) && strings.ToUpper(string(first)) != string(first) {
					t.Errorf("%s %s: %q does not begin with a capital", lang, a, s)
				}
			}
			// Two actions that read alike would leave a reader unable to tell them apart.
			s := dashboard.Sentence(l, audit.Statement{Event: audit.Event{Action: a, Details: audit.NoDetails}, Actor: anna, Subject: phone})
			if other, ok := seen[s]; ok && !sameWords(a, other) {
				t.Errorf("%s: %s and %s both read %q", lang, a, other, s)
			}
			seen[s] = a
		}
	}
}

// sameWords are actions that say the same thing to a reader on purpose: revoking a token,
// an invitation or a certificate is "revoked", told apart by what was revoked.
func sameWords(a, b audit.Action) bool {
	same := []audit.Action{audit.TokenRevoke, audit.InvitationRevoke, audit.CertificateRevoke, audit.TokenCreate,
		audit.InvitationCreate, audit.WorkPolicyCreate}
	return slices.Contains(same, a) && slices.Contains(same, b)
}

func TestASentenceSaysWhoInWhichRoleDidWhatToWhomAndWhy(t *testing.T) {
	c, err := dashboard.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	gone := audit.Party{Kind: audit.Device, ID: "dev2id", Removed: true}
	token := audit.Party{Kind: audit.Token, ID: "tok1id", Name: "Nachtlauf", Role: "helpdesk"}
	cases := []struct {
		lang string
		st   audit.Statement
		want string
	}{
		{"de", audit.Statement{Event: audit.Event{Action: audit.DeviceCommand, Details: `{"kind":"lock_work"}`}, Actor: anna, Subject: phone, Reason: "Gerät verloren"},
			"anna.admin@musterstadt.example (Administration) hat für das Android-Gerät von Erika Muster den Befehl „Arbeitsbereich sperren“ erteilt. Grund: „Gerät verloren“."},
		{"en", audit.Statement{Event: audit.Event{Action: audit.DeviceCommand, Details: `{"kind":"lock_work"}`}, Actor: anna, Subject: phone, Reason: "lost"},
			"anna.admin@musterstadt.example (Administrator) gave the Android device of Erika Muster the command to lock the work profile. Reason: “lost”."},
		{"de", audit.Statement{Event: audit.Event{Action: audit.DeviceView}, Actor: token, Subject: gone},
			"Der API-Schlüssel „Nachtlauf“ (Helpdesk) hat ein entferntes Gerät geöffnet."},
		{"en", audit.Statement{Event: audit.Event{Action: audit.WorkPolicyUpdate}, Actor: audit.Party{Kind: audit.ActorCLI, ID: "root"}, Subject: policy},
			"The command line (user root) changed the work policy “Standard”."},
		{"de", audit.Statement{Event: audit.Event{Action: audit.AuditExport, Details: `{"format":"csv","from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z"}`}, Actor: anna,
			Subject: audit.Party{Kind: audit.Tenant, Name: "Musterstadt"}},
			"anna.admin@musterstadt.example (Administration) hat das Prüfprotokoll als CSV exportiert (Zeitraum 2026-01-01 bis 2026-01-31)."},
		{"de", audit.Statement{Event: audit.Event{Action: audit.DeviceRemoved}, Actor: audit.Party{Kind: audit.ActorSystem}, Subject: phone},
			"Das Android-Gerät von Erika Muster ist abgemeldet; der Arbeitsbereich mit den Arbeitsdaten ist entfernt."},
		{"de", audit.Statement{Event: audit.Event{Action: audit.AdminSignInFailed}, Actor: audit.Party{Kind: audit.ActorClient, ID: "192.0.2.1"}},
			"Eine Anmeldung als ein unbekanntes Konto ist fehlgeschlagen."},
	}
	for _, tc := range cases {
		if got := dashboard.Sentence(c.Localizer(tc.lang), tc.st); got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.lang, tc.st.Action, got, tc.want)
		}
	}
}
