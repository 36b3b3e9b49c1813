package access_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

const (
	password   = "correct horse battery staple"
	publicURL  = "https://mdm.musterstadt.example:8443/"
	sameOrigin = "https://mdm.musterstadt.example:8443"
	client     = "192.0.2.1"
)

// active signs the first administrator in for the first time (code, new password) and
// returns the active session's token, which has just proved the second factor.
func (w *signInWorld) active(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	token, _, err := w.svc.Access.SignIn(ctx, "default", w.creds.Email, w.creds.Password, client)
	if err != nil {
		t.Fatal(err)
	}
	next, err := w.svc.Access.SecondFactor(ctx, token, w.code(t), client)
	if err != nil {
		t.Fatal(err)
	}
	next, err = w.svc.Access.ChangePassword(ctx, next.Token, password)
	if err != nil {
		t.Fatal(err)
	}
	return next.Token
}

func (w *signInWorld) passkeys(t *testing.T) *access.Passkeys {
	t.Helper()
	u, _ := url.Parse(publicURL)
	p, err := access.NewPasskeys(w.svc.Access, u)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// register adds the key to the account of the session under the name.
func register(t *testing.T, p *access.Passkeys, token string, key *softKey, name string) (access.Passkey, error) {
	t.Helper()
	opts, err := p.BeginRegistration(context.Background(), token)
	if err != nil {
		return access.Passkey{}, err
	}
	r, err := access.ParseRegistration(name, key.create(opts))
	if err != nil {
		t.Fatalf("parse the key's answer: %v", err)
	}
	return p.FinishRegistration(context.Background(), token, r)
}

func assertion(t *testing.T, answer string) access.Assertion {
	t.Helper()
	a, err := access.ParseAssertion(answer)
	if err != nil {
		t.Fatalf("parse the key's answer: %v", err)
	}
	return a
}

// An administrator adds a passkey on their account and signs in with it after the
// password; both are on record, the sign-in naming the passkey.
func TestAnAdministratorSignsInWithAPasskey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		p := w.passkeys(t)
		token := w.active(t)
		key := newSoftKey(t, "mdm.musterstadt.example", sameOrigin)
		added, err := register(t, p, token, key, "  Laptop  ")
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		_, a, _ := w.svc.Access.SessionFor(ctx, token)
		keys, err := w.svc.Access.AdminPasskeys(ctx, a)
		if err != nil || len(keys) != 1 || keys[0].Name != "Laptop" || keys[0].ID != added.ID {
			t.Fatalf("passkeys after registering: %+v, %v", keys, err)
		}
		if _, err := register(t, p, token, key, "again"); !errors.Is(err, mdm.ErrInvalid) && !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("the same key again: %v, want it refused", err)
		}

		token, sess, err := w.svc.Access.SignIn(ctx, "default", w.creds.Email, password, client)
		if err != nil || sess.Stage != access.StageSecondFactor {
			t.Fatalf("password: %+v, %v", sess, err)
		}
		opts, err := p.BeginVerification(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		next, err := p.SignIn(ctx, token, assertion(t, key.get(opts)), client)
		if err != nil || next.Session.Stage != access.StageActive {
			t.Fatalf("passkey: %+v, %v", next.Session, err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the token of the password step after the passkey: %v", err)
		}
		got := w.actions(t)
		if !slices.Contains(got, "admin.passkey_add") || got[len(got)-1] != "admin.sign_in" {
			t.Errorf("audit trail %v: want the passkey added and the sign-in last", got)
		}
		if e := w.lastEvent(t); e.Details["second_factor"] != "passkey" || e.Details["passkey"] != added.ID {
			t.Errorf("sign-in recorded with %v, want the passkey %s", e.Details, added.ID)
		}
		if keys, _ := w.svc.Access.AdminPasskeys(ctx, a); keys[0].LastUsedAt == nil {
			t.Errorf("the passkey's use is not recorded: %+v", keys[0])
		}
	})
}

// A challenge works once, for its session, from the installation's origin, within its
// time; a copied key whose counter does not go up is refused. Each refused answer counts
// as a failed sign-in, and none lets the sign-in on.
func TestAPasskeyAnswerIsRefusedUnlessItFitsItsChallenge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		p := w.passkeys(t)
		key := newSoftKey(t, "mdm.musterstadt.example", sameOrigin)
		if _, err := register(t, p, w.active(t), key, "Laptop"); err != nil {
			t.Fatal(err)
		}
		signIn := func() string {
			token, _, err := w.svc.Access.SignIn(ctx, "default", w.creds.Email, password, client)
			if err != nil {
				t.Fatal(err)
			}
			return token
		}

		token := signIn()
		opts, _ := p.BeginVerification(ctx, token)
		answer := key.get(opts)
		other := signIn()
		if _, err := p.SignIn(ctx, other, assertion(t, answer), client); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("an answer in another session: %v, want ErrInvalid (no challenge there)", err)
		}
		if _, err := p.SignIn(ctx, token, assertion(t, answer), client); err != nil {
			t.Fatalf("the answer in its session: %v", err)
		}

		token = signIn()
		opts, _ = p.BeginVerification(ctx, token)
		answer = key.get(opts)
		if _, err := p.SignIn(ctx, token, assertion(t, answer), client); err != nil {
			t.Fatal(err)
		}
		token = signIn()
		if _, err := p.SignIn(ctx, token, assertion(t, answer), client); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("an answer replayed: %v, want ErrInvalid", err)
		}

		phishing := newSoftKey(t, "mdm.musterstadt.example", "https://mdm-musterstadt.example")
		phishing.id, phishing.key, phishing.userID, phishing.counter = key.id, key.key, key.userID, key.counter
		opts, _ = p.BeginVerification(ctx, token)
		if _, err := p.SignIn(ctx, token, assertion(t, phishing.get(opts)), client); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("an answer from another origin: %v, want ErrUnauthenticated", err)
		}

		opts, _ = p.BeginVerification(ctx, token)
		if _, err := p.SignIn(ctx, token, assertion(t, key.getAt(opts, key.counter)), client); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a counter that did not go up: %v, want ErrUnauthenticated", err)
		}
		if e := w.lastEvent(t); e.Action != "admin.sign_in_failed" {
			t.Errorf("the copied key is recorded as %s %v", e.Action, e.Details)
		}

		opts, _ = p.BeginVerification(ctx, token)
		answer = key.get(opts)
		w.now = w.now.Add(access.CeremonyTimeout + time.Second)
		if _, err := p.SignIn(ctx, token, assertion(t, answer), client); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("an answer after the challenge ran out: %v, want ErrInvalid", err)
		}
		opts, _ = p.BeginVerification(ctx, token)
		if next, err := p.SignIn(ctx, token, assertion(t, key.get(opts)), client); err != nil || next.Session.Stage != access.StageActive {
			t.Errorf("the key after the refusals: %+v, %v", next.Session, err)
		}
	})
}

// Adding a passkey needs a proof of the second factor within the last minutes; a code
// gives it again. A passkey is removed from the account on record.
func TestAddingAPasskeyNeedsAFreshSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newSignInWorld(t, s)
		p := w.passkeys(t)
		token := w.active(t)
		w.now = w.now.Add(access.FactorFresh)
		if _, err := p.BeginRegistration(ctx, token); !errors.Is(err, access.ErrStaleFactor) {
			t.Fatalf("registration long after the sign-in: %v, want ErrStaleFactor", err)
		}
		if _, err := p.BeginVerification(ctx, token); !errors.Is(err, mdm.ErrConflict) {
			t.Errorf("a passkey check without a passkey: %v, want ErrConflict", err)
		}
		if _, err := w.svc.Access.ConfirmCode(ctx, token, "000000", client); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("a wrong code: %v", err)
		}
		next, err := w.svc.Access.ConfirmCode(ctx, token, w.code(t), client)
		if err != nil || next.Session.Stage != access.StageActive {
			t.Fatalf("confirm with a code: %+v, %v", next.Session, err)
		}
		token = next.Token
		key := newSoftKey(t, "mdm.musterstadt.example", sameOrigin)
		added, err := register(t, p, token, key, "Security key")
		if err != nil {
			t.Fatal(err)
		}
		w.now = w.now.Add(access.FactorFresh)
		opts, err := p.BeginVerification(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		next, err = p.Confirm(ctx, token, assertion(t, key.get(opts)), client)
		if err != nil || next.Session.Stage != access.StageActive || !next.Session.FactorFresh(w.now) {
			t.Fatalf("confirm with the passkey: %+v, %v", next.Session, err)
		}
		if _, _, err := w.svc.Access.SessionFor(ctx, token); !errors.Is(err, mdm.ErrUnauthenticated) {
			t.Errorf("the token before the confirmation: %v, want it renewed away", err)
		}
		token = next.Token
		_, a, _ := w.svc.Access.SessionFor(ctx, token)
		if err := w.svc.Access.RemovePasskey(ctx, a, "no-such-passkey"); !errors.Is(err, mdm.ErrNotFound) {
			t.Errorf("removing an unknown passkey: %v", err)
		}
		if err := w.svc.Access.RemovePasskey(ctx, a, added.ID); err != nil {
			t.Fatal(err)
		}
		if keys, _ := w.svc.Access.AdminPasskeys(ctx, a); len(keys) != 0 {
			t.Errorf("passkeys after removing: %+v", keys)
		}
		if e := w.lastEvent(t); e.Action != "admin.passkey_remove" || e.Details["name"] != "Security key" {
			t.Errorf("removal recorded as %s %v", e.Action, e.Details)
		}
	})
}

// The browser's answers are parsed at the edge: a name without text, an empty or huge
// answer, or one that is no credential at all is ErrInvalid.
func TestParsePasskeyAnswers(t *testing.T) {
	for _, c := range []struct{ name, credential string }{
		{"", `{}`},
		{"bad\x00name", `{}`},
		{"Laptop", ""},
		{"Laptop", "not json"},
		{"Laptop", `{"id":"x","type":"public-key","response":{}}`},
		{"Laptop", `{"x":"` + string(make([]byte, access.MaxCeremonyAnswer)) + `"}`},
	} {
		if _, err := access.ParseRegistration(c.name, c.credential); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("registration %q %.40q: %v, want ErrInvalid", c.name, c.credential, err)
		}
		if c.name != "" && !errors.Is(must(access.ParseAssertion(c.credential)), mdm.ErrInvalid) {
			t.Errorf("assertion %.40q: want ErrInvalid", c.credential)
		}
	}
}

func must[T any](_ T, err error) error { return err }

// recorded is an audit event with its details read.
type recorded struct {
	Action  string
	Actor   string
	Subject string
	Details map[string]any
}

func (w *signInWorld) lastEvent(t *testing.T) recorded {
	t.Helper()
	var last audit.Event
	_ = store.TrailOf(w.store).AuditEvents(context.Background(), w.tenant.ID, 0, func(e audit.Event) error {
		last = e
		return nil
	})
	r := recorded{Action: string(last.Action), Actor: last.Actor, Subject: last.Subject}
	if err := json.Unmarshal([]byte(last.Details), &r.Details); err != nil {
		t.Fatal(err)
	}
	return r
}

// A passkey that is an administrator's only second factor (no confirmed authenticator
// app) is not removed: the account would be left without one.
func TestTheOnlySecondFactorIsNotRemoved(t *testing.T) {
	ctx := context.Background()
	w := newSignInWorld(t, storetest.Open(t, storetest.SQLite))
	a, err := w.svc.Access.Admins(ctx, w.tenant)
	if err != nil || len(a) != 1 || a[0].TOTPConfirmedAt != nil {
		t.Fatalf("administrators: %+v, %v; want one who has not set up the app", a, err)
	}
	only := access.Passkey{ID: mdm.NewID(), AdminID: a[0].ID, CredentialID: []byte("key"), Name: "Phone", Credential: "{}", CreatedAt: w.now}
	if err := store.AccessOf(w.store).CreatePasskey(ctx, w.tenant.ID, &only); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Access.RemovePasskey(ctx, a[0], only.ID); !errors.Is(err, mdm.ErrConflict) {
		t.Errorf("removing the only factor: %v, want ErrConflict", err)
	}
	if keys, _ := w.svc.Access.AdminPasskeys(ctx, a[0]); len(keys) != 1 {
		t.Errorf("passkeys after the refusal: %+v", keys)
	}
}
