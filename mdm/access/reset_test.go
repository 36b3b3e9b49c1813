package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// An administrator who lost the second factor has it reset by a colleague, with a
// reason: their sessions end, their passkeys go, and the next sign-in sets up a new
// factor as the first did. The reset is on record with who, whose and why, and the
// administrator is mailed.
func TestAColleagueResetsALostSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		w.svc = domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithNoticeMail(),
			mdm.WithClock(func() time.Time { return w.now }))
		p := w.passkeys(t)
		boss := w.active(t)
		_, first, _ := w.svc.Access.SessionFor(ctx, boss)
		colleague, creds, err := w.svc.Access.CreateAdmin(ctx, first.Principal().Actor, w.tenant, "kim@musterstadt.example", mdm.RoleHelpdesk)
		if err != nil {
			t.Fatal(err)
		}
		token, _, _ := w.svc.Access.SignIn(ctx, "default", creds.Email, creds.Password, client)
		w.now = w.now.Add(30 * time.Second)
		code, _ := totp.GenerateCode(creds.TOTPSecret, w.now)
		next, err := w.svc.Access.SecondFactor(ctx, token, code, client)
		if err != nil {
			t.Fatal(err)
		}
		next, err = w.svc.Access.ChangePassword(ctx, next.Token, password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := register(t, p, next.Token, newSoftKey(t, "mdm.musterstadt.example", sameOrigin), "Phone"); err != nil {
			t.Fatal(err)
		}

		if err := w.svc.Access.ResetSecondFactor(ctx, first.Principal().Actor, w.tenant, colleague.ID, "  "); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("a reset without a reason: %v, want ErrInvalid", err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, next.Token); err != nil {
			t.Fatalf("a refused reset ended the session: %v", err)
		}
		if err := w.svc.Access.ResetSecondFactor(ctx, first.Principal().Actor, w.tenant, colleague.ID, "lost the phone (ticket 4711)"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, next.Token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the colleague's session after the reset: %v, want it ended", err)
		}
		if keys, _ := w.svc.Access.AdminPasskeys(ctx, colleague); len(keys) != 0 {
			t.Errorf("passkeys after the reset: %+v", keys)
		}
		e := w.lastEvent(t)
		if e.Action != "admin.second_factor_reset" || e.Actor != first.Principal().Actor || e.Subject != "admin:"+colleague.ID ||
			e.Details["reason"] != "lost the phone (ticket 4711)" || e.Details["passkeys_removed"] != float64(1) {
			t.Errorf("reset recorded as %+v", e)
		}
		if n := storetest.Count(t, s, "river_job", "kind = ?", access.FactorResetMailJob{}.Kind()); n != 1 {
			t.Errorf("%d mail jobs queued, want 1", n)
		}

		token, sess, err := w.svc.Access.SignIn(ctx, "default", creds.Email, password, client)
		if err != nil || sess.Stage != access.StageTOTPSetup {
			t.Fatalf("sign-in after the reset: %+v, %v; want the set-up step", sess, err)
		}
		secret, _, err := w.svc.Access.TOTPSetup(ctx, token)
		if err != nil || secret == creds.TOTPSecret {
			t.Fatalf("the set-up after the reset shows %q (the old secret %q), %v", secret, creds.TOTPSecret, err)
		}
		w.now = w.now.Add(30 * time.Second)
		old, _ := totp.GenerateCode(creds.TOTPSecret, w.now)
		if _, err := w.svc.Access.SecondFactor(ctx, token, old, client); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a code of the old secret: %v", err)
		}
		code, _ = totp.GenerateCode(secret, w.now)
		if next, err := w.svc.Access.SecondFactor(ctx, token, code, client); err != nil || len(next.RecoveryCodes) != access.RecoveryCodes {
			t.Errorf("setting up the new factor: %v, %d recovery codes", err, len(next.RecoveryCodes))
		}
	})
}

// Nobody resets their own second factor, nor one of another tenant's administrators.
func TestAResetIsRefusedForOneselfAndAnotherTenant(t *testing.T) {
	ctx := context.Background()
	w := newSignInWorld(t, storetest.Open(t, storetest.SQLite))
	_, first, _ := w.svc.Access.SessionFor(ctx, w.active(t))
	if err := w.svc.Access.ResetSecondFactor(ctx, first.Principal().Actor, w.tenant, first.ID, "lost it"); !errors.Is(err, mdm.ErrConflict) {
		t.Errorf("resetting one's own factor: %v, want ErrConflict", err)
	}
	other, err := w.svc.CreateTenant(ctx, "cli:root", "nachbarort", "Nachbarort")
	if err != nil {
		t.Fatal(err)
	}
	stranger, _, err := w.svc.Access.CreateAdmin(ctx, "cli:root", other, "it@nachbarort.example", mdm.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	err = w.svc.Access.ResetSecondFactor(ctx, first.Principal().Actor, w.tenant, stranger.ID, "lost it")
	if !errors.Is(err, mdm.ErrNotFound) {
		t.Errorf("resetting another tenant's administrator: %v, want ErrNotFound", err)
	}
	if strings.Contains(w.lastEvent(t).Action, "reset") {
		t.Errorf("a refused reset is recorded: %+v", w.lastEvent(t))
	}
}

// The mail about a reset goes to the administrator whose factor was reset, in German and
// English; a disabled administrator gets none.
func TestTheResetMailTellsTheAdministrator(t *testing.T) {
	ctx := context.Background()
	w := newSignInWorld(t, storetest.Open(t, storetest.SQLite))
	kim, _, err := w.svc.Access.CreateAdmin(ctx, "cli:root", w.tenant, "kim@musterstadt.example", mdm.RoleHelpdesk)
	if err != nil {
		t.Fatal(err)
	}
	job := access.FactorResetMailJob{TenantID: w.tenant.ID, AdminID: kim.ID, At: w.now}
	var sent []access.FactorResetNotice
	send := func(_ context.Context, n access.FactorResetNotice) error {
		sent = append(sent, n)
		return nil
	}
	if err := w.svc.Access.SendFactorResetMail(ctx, job, send); err != nil || len(sent) != 1 {
		t.Fatalf("mail: %v, %d sent", err, len(sent))
	}
	subject, text := sent[0].Message()
	if sent[0].Admin.Email != "kim@musterstadt.example" || !strings.Contains(subject, "zurückgesetzt") ||
		!strings.Contains(text, "reset the second factor of your trennwand account kim@musterstadt.example") {
		t.Errorf("mail to %s: %s\n%s", sent[0].Admin.Email, subject, text)
	}
	if err := w.svc.Access.DisableAdmin(ctx, "cli:root", w.tenant, kim.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Access.SendFactorResetMail(ctx, job, send); err != nil || len(sent) != 1 {
		t.Errorf("mail to a disabled administrator: %v, %d sent", err, len(sent))
	}
}
