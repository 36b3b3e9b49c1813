package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// createdInvitation is what `invite create --json` prints.
type createdInvitation struct {
	Code         string `json:"code"`
	URL          string `json:"url"`
	QR           string `json:"qr"`
	InvitationID string `json:"invitation_id"`
	EmployeeID   string `json:"employee_id"`
	Platform     string `json:"platform"`
}

func TestInviteCreatePrintsTheCodeItsURLAndAQRCodeFile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.platformsSetUp(t, "default")
		qr := filepath.Join(t.TempDir(), "anna.png")

		r := s.run(t, "invite", "create", "--tenant", "default", "--email", "anna.berg@musterstadt.de",
			"--platform", "ios", "--apple-id", "anna.berg@musterstadt.appleid.com", "--public-url", "https://mdm.musterstadt.de", "--qr", qr, "--json")
		r.wantCode(t, 0)
		var inv createdInvitation
		r.decode(t, &inv)
		if inv.Code == "" {
			t.Fatal("no invitation code printed")
		}
		if want := "https://mdm.musterstadt.de/e/" + inv.Code; inv.URL != want {
			t.Errorf("url %q, want %q", inv.URL, want)
		}
		if inv.Platform != "ios" || inv.QR != qr {
			t.Errorf("platform %q, qr %q; want ios, %s", inv.Platform, inv.QR, qr)
		}

		info, err := os.Stat(qr)
		if err != nil {
			t.Fatalf("the QR code file: %v", err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("the QR code file has mode %v, want 0600: it carries the code", info.Mode().Perm())
		}
		b, err := os.ReadFile(qr)
		if err != nil {
			t.Fatal(err)
		}
		if img, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("the QR code file is not a PNG: %v", err)
		} else if size := img.Bounds().Size(); size.X != size.Y || size.X < 256 {
			t.Errorf("the QR code image is %v, want a square big enough to print", size)
		}

		st := s.store(t)
		tn, err := st.Tenants().TenantByName(t.Context(), "default")
		if err != nil {
			t.Fatal(err)
		}
		stored, err := store.EnrolmentOf(st).Invitation(t.Context(), tn.ID, inv.InvitationID)
		if err != nil {
			t.Fatalf("the invitation is not stored: %v", err)
		}
		if !bytes.Equal(stored.CodeHash, mdm.HashInvitationCode(inv.Code)) || stored.Platform != mdm.PlatformIOS {
			t.Errorf("stored invitation has platform %q and a code hash that does not match the printed code", stored.Platform)
		}
	})
}

func TestInviteCodeIsNotInTheDatabaseFile(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	r := s.run(t, "invite", "create", "--tenant", "default", "--email", "anna.berg@musterstadt.de", "--qr", "-", "--json")
	r.wantCode(t, 0)
	var inv createdInvitation
	r.decode(t, &inv)
	if inv.Code == "" {
		t.Fatal("no invitation code printed")
	}
	if inv.QR != "" {
		t.Errorf(`--qr - printed a QR code file %q, want none`, inv.QR)
	}

	files, err := filepath.Glob(filepath.Join(s.data, "trennwand.db*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no database files in %s (%v)", s.data, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(inv.Code)) {
			t.Errorf("%s holds the invitation code in plain text", f)
		}
	}
}

func TestInviteCreateWritesTheQRCodeBesideTheCaller(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	dir := t.TempDir()
	t.Chdir(dir)

	r := s.run(t, "invite", "create", "--tenant", "default", "--email", "jo@musterstadt.de", "--json")
	r.wantCode(t, 0)
	var inv createdInvitation
	r.decode(t, &inv)
	if want := "invitation-" + inv.InvitationID + ".png"; inv.QR != want {
		t.Errorf("qr %q, want %q", inv.QR, want)
	}
	if _, err := os.Stat(filepath.Join(dir, inv.QR)); err != nil {
		t.Errorf("the QR code file is not in the working directory: %v", err)
	}

	// A second invitation never overwrites the first one's letter.
	r = s.run(t, "invite", "create", "--tenant", "default", "--email", "jo@musterstadt.de", "--qr", inv.QR)
	r.wantCode(t, exitFailed)
	r.wantStderr(t, "the invitation was created, but its QR code could not be written")
}
