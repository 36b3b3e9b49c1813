package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/invitation"
)

// imported is what `invite import|resend --json` prints.
type imported struct {
	Invited     int                  `json:"invited"`
	Invitations []invitation.Printed `json:"invitations"`
	Letters     string               `json:"letters"`
}

// IT imports its staff from a spreadsheet, prints the letters, resends one invitation
// and revokes another; a file with a bad line imports nobody.
func TestInviteImportResendRevoke(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("email;name\nanna@musterstadt.de;Anna\nkein-name;Jo\n"), 0o600)
	r := s.run(t, "invite", "import", "--tenant", "default", "--csv", bad)
	r.wantCode(t, 2)
	r.wantStderr(t, "line 3", "nothing was imported")

	good := filepath.Join(dir, "staff.csv")
	os.WriteFile(good, []byte("email;name;platform\nanna@musterstadt.de;Anna Berg;android\njo@musterstadt.de;Jo;\n"), 0o600)
	letters := filepath.Join(dir, "letters.html")
	r = s.run(t, "invite", "import", "--tenant", "default", "--csv", good, "--letters", letters,
		"--public-url", "https://mdm.musterstadt.de", "--json")
	r.wantCode(t, 0)
	var out imported
	r.decode(t, &out)
	if out.Invited != 2 || len(out.Invitations) != 2 || out.Letters != letters {
		t.Fatalf("%+v", out)
	}
	page, err := os.ReadFile(letters)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Guten Tag Anna Berg", out.Invitations[0].URL, out.Invitations[1].URL, "data:image/png;base64,", `<html lang="de">`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the letters lack %q", want)
		}
	}
	if info, _ := os.Stat(letters); info.Mode().Perm() != 0o600 {
		t.Errorf("letters have mode %v, want 0600: they carry the codes", info.Mode().Perm())
	}

	r = s.run(t, "invite", "resend", "--tenant", "default", "--email", "anna@musterstadt.de", "--json")
	r.wantCode(t, 0)
	var again imported
	r.decode(t, &again)
	if len(again.Invitations) != 1 || again.Invitations[0].Code == out.Invitations[0].Code {
		t.Errorf("resend: %+v", again)
	}
	single := filepath.Join(dir, "single.html")
	s.run(t, "invite", "create", "--tenant", "default", "--email", "neu@musterstadt.de", "--qr", "-", "--letters", single).wantCode(t, 0)
	if page, err := os.ReadFile(single); err != nil || !strings.Contains(string(page), "Guten Tag neu@musterstadt.de") {
		t.Errorf("letter of a single invitation: %v", err)
	}
	s.run(t, "invite", "revoke", "--tenant", "default", out.Invitations[1].ID).wantCode(t, 0)
	s.run(t, "invite", "revoke", "--tenant", "default", out.Invitations[1].ID).wantCode(t, 1)
}

func TestTenantContacts(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	s.run(t, "tenant", "contacts", "--tenant", "default", "--operator", "KommunalIT Nord").wantCode(t, 2)
	r := s.run(t, "tenant", "contacts", "--tenant", "default", "--operator", "KommunalIT Nord",
		"--privacy-contact", "datenschutz@musterstadt.de", "--json")
	r.wantCode(t, 0)
	var out map[string]string
	r.decode(t, &out)
	if out["operator"] != "KommunalIT Nord" || out["privacy_contact"] != "datenschutz@musterstadt.de" {
		t.Errorf("%v", out)
	}
}

// A new tenant has not set up its phones yet: an invitation, single or from a file, is
// refused with what to do, and nothing is written. Once set up, an iPhone invitation still
// needs the managed Apple account.
func TestInvitationsWaitForThePlatformsAndTheManagedAppleAccount(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	before := s.auditEvents(t)
	csv := filepath.Join(t.TempDir(), "staff.csv")
	os.WriteFile(csv, []byte("email;platform;managed_apple_id\nanna@musterstadt.de;android;\nben@musterstadt.de;ios;\n"), 0o600)

	r := s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--platform", "android", "--qr", "-")
	r.wantCode(t, exitUsage)
	r.wantStderr(t, "android is not set up for this tenant yet: bind an Android enterprise first (trennwand android bind")
	r = s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de", "--qr", "-")
	r.wantCode(t, exitUsage)
	r.wantStderr(t, "no platform is set up for this tenant yet")
	r = s.run(t, "invite", "import", "--tenant", "default", "--csv", csv)
	r.wantCode(t, exitUsage)
	r.wantStderr(t, "line 2", "android is not set up")
	if after := s.auditEvents(t); after["default"] != before["default"] {
		t.Errorf("refused invitations wrote %d audit events", after["default"]-before["default"])
	}

	s.platformsSetUp(t, "default")
	r = s.run(t, "invite", "create", "--tenant", "default", "--email", "ben@musterstadt.de", "--platform", "ios", "--qr", "-")
	r.wantCode(t, exitUsage)
	r.wantStderr(t, "an iPhone invitation needs the employee's managed Apple account", "--apple-id")
	r = s.run(t, "invite", "import", "--tenant", "default", "--csv", csv)
	r.wantCode(t, exitUsage)
	r.wantStderr(t, "line 3", "managed Apple account")
	s.run(t, "invite", "create", "--tenant", "default", "--email", "ben@musterstadt.de", "--platform", "ios",
		"--apple-id", "ben@musterstadt.appleid.com", "--qr", "-").wantCode(t, 0)
}
