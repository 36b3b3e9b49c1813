package access_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// signInWorld is an installation with its first administrator and a clock the test moves.
type signInWorld struct {
	svc    *domain.Services
	store  *store.Store
	now    time.Time
	creds  access.AdminCredentials
	tenant mdm.Tenant
}

func newSignInWorld(t *testing.T, s *store.Store) *signInWorld {
	t.Helper()
	w := &signInWorld{store: s, now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	w.svc = domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithClock(func() time.Time { return w.now }))
	creds, err := w.svc.Access.Bootstrap(context.Background(), "it@musterstadt.example")
	if err != nil {
		t.Fatal(err)
	}
	w.creds = *creds
	if w.tenant, err = w.svc.Tenant(context.Background(), mdm.DefaultTenant); err != nil {
		t.Fatal(err)
	}
	return w
}

// code returns the authenticator's code for now, moving the clock on by one time step
// first, so that each code is new.
func (w *signInWorld) code(t *testing.T) string {
	t.Helper()
	w.now = w.now.Add(30 * time.Second)
	c, err := totp.GenerateCode(w.creds.TOTPSecret, w.now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *signInWorld) actions(t *testing.T) []string {
	t.Helper()
	var out []string
	_ = store.TrailOf(w.store).AuditEvents(context.Background(), w.tenant.ID, 0, func(e audit.Event) error {
		out = append(out, string(e.Action))
		return nil
	})
	return out
}

// The first administrator signs in for the first time: password, setting up the second
// factor with a code (and getting recovery codes), a new password, an active session;
// every step is on record, and signing out ends the session.
func TestFirstSignInSetsUpTheSecondFactorAndThePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		token, sess, err := w.svc.Access.SignIn(ctx, "default", "IT@musterstadt.example", w.creds.Password, "192.0.2.1")
		if err != nil || sess.Stage != access.StageTOTPSetup {
			t.Fatalf("password: %+v, %v; want the set-up step", sess, err)
		}
		secret, otpURL, err := w.svc.Access.TOTPSetup(ctx, token)
		if err != nil || secret != w.creds.TOTPSecret || !strings.HasPrefix(otpURL, "otpauth://totp/") {
			t.Fatalf("set-up shows %q %q, %v", secret, otpURL, err)
		}
		if _, err := w.svc.Access.SecondFactor(ctx, token, "000000", "192.0.2.1"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Fatalf("a wrong code: %v", err)
		}
		factor, err := w.svc.Access.SecondFactor(ctx, token, w.code(t), "192.0.2.1")
		codes := factor.RecoveryCodes
		if err != nil || factor.Session.Stage != access.StagePasswordChange || len(codes) != access.RecoveryCodes {
			t.Fatalf("code: %+v, %d recovery codes, %v", factor.Session, len(codes), err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the token of the password step after the second factor: %v, want ErrUnauthenticated", err)
		}
		token = factor.Token
		if _, err := w.svc.Access.ChangePassword(ctx, token, "short"); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("a short password: %v, want ErrInvalid", err)
		}
		active, err := w.svc.Access.ChangePassword(ctx, token, "correct horse battery staple")
		if err != nil || active.Session.Stage != access.StageActive {
			t.Fatalf("new password: %+v, %v", active.Session, err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the token of the second factor after the new password: %v, want ErrUnauthenticated", err)
		}
		token = active.Token
		_, a, err := w.svc.Access.SessionFor(ctx, token)
		if err != nil || a.Principal().Role != mdm.RoleAdmin {
			t.Fatalf("session: %+v, %v", a, err)
		}
		if err := w.svc.Access.SignOut(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("after sign-out: %v", err)
		}
		want := []string{"admin.sign_in_failed", "admin.second_factor_setup", "admin.sign_in", "admin.password_change", "admin.sign_out"}
		if got := w.actions(t); !slices.Equal(got[len(got)-len(want):], want) {
			t.Errorf("audit trail ends with %v, want %v", got, want)
		}

		// The next sign-in asks for a code; a recovery code works once, a used code never.
		token, sess, err = w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", "correct horse battery staple", "192.0.2.1")
		if err != nil || sess.Stage != access.StageSecondFactor {
			t.Fatalf("second sign-in: %+v, %v", sess, err)
		}
		if next, err := w.svc.Access.SecondFactor(ctx, token, strings.ToUpper(codes[0]), "192.0.2.1"); err != nil || next.Session.Stage != access.StageActive {
			t.Fatalf("recovery code: %+v, %v", next.Session, err)
		}
		token, _, _ = w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", "correct horse battery staple", "192.0.2.1")
		if _, err := w.svc.Access.SecondFactor(ctx, token, codes[0], "192.0.2.1"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a used recovery code: %v", err)
		}
	})
}

// Five wrong passwords lock the account for a quarter of an hour, even for the right
// password; the idle session ends after half an hour.
func TestWrongPasswordsLockTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		for range access.MaxFailedSignIns {
			if _, _, err := w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", "guess", "192.0.2.7"); !errors.Is(err, mdm.ErrUnauthenticated) {
				t.Fatalf("wrong password: %v", err)
			}
		}
		if _, _, err := w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", w.creds.Password, "192.0.2.8"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Fatalf("right password on a locked account: %v", err)
		}
		w.now = w.now.Add(access.LockoutDuration)
		token, _, err := w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", w.creds.Password, "192.0.2.8")
		if err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		w.now = w.now.Add(access.SignInStepTimeout)
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("an unfinished sign-in after its timeout: %v", err)
		}
		failed := 0
		for _, a := range w.actions(t) {
			if a == "admin.sign_in_failed" {
				failed++
			}
		}
		if failed != access.MaxFailedSignIns+1 {
			t.Errorf("%d failed sign-ins recorded, want %d", failed, access.MaxFailedSignIns+1)
		}
	})
}

// Wrong passwords sent all at once are each counted and lock the account: none
// overwrites another's count, and none undoes the lock another one set.
func TestParallelWrongPasswordsAllCountAndLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		const burst = 2 * access.MaxFailedSignIns
		errs := make([]error, burst)
		var wg sync.WaitGroup
		for i := range burst {
			wg.Go(func() {
				_, _, errs[i] = w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", fmt.Sprintf("guess %d", i), fmt.Sprintf("192.0.2.%d", i))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, mdm.ErrUnauthenticated) {
				t.Errorf("wrong password %d: %v, want ErrUnauthenticated", i, err)
			}
		}
		a, err := store.AccessOf(w.store).AdminByEmail(ctx, w.tenant.ID, "it@musterstadt.example")
		if err != nil {
			t.Fatal(err)
		}
		if a.FailedSignIns != burst || !a.Locked(w.now) {
			t.Errorf("after %d parallel wrong passwords: %d failures counted, locked until %v; want %d and locked", burst, a.FailedSignIns, a.LockedUntil, burst)
		}
		if _, _, err := w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", w.creds.Password, "198.51.100.9"); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the right password after the burst: %v, want ErrUnauthenticated (locked)", err)
		}
		locks := 0
		for _, action := range w.actions(t) {
			if action == "admin.locked" {
				locks++
			}
		}
		if locks != burst/access.MaxFailedSignIns {
			t.Errorf("%d locks on record, want %d", locks, burst/access.MaxFailedSignIns)
		}
	})
}

// One client address that tries too often is turned away, whichever account it tries.
func TestSignInIsThrottledPerClient(t *testing.T) {
	w := newSignInWorld(t, storetest.Open(t, storetest.SQLite))
	ctx := context.Background()
	for range access.ClientSignInAttempts {
		_, _, _ = w.svc.Access.SignIn(ctx, "default", "nobody@musterstadt.example", "x", "198.51.100.1")
	}
	if _, _, err := w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", w.creds.Password, "198.51.100.1"); !errors.Is(err, access.ErrThrottled) {
		t.Errorf("attempt beyond the limit: %v, want ErrThrottled", err)
	}
	if _, _, err := w.svc.Access.SignIn(ctx, "default", "it@musterstadt.example", w.creds.Password, "198.51.100.2"); err != nil {
		t.Errorf("another address: %v", err)
	}
}
