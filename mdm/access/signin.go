package access

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Sign-in limits. An account is locked for LockoutDuration after MaxFailedSignIns wrong
// passwords or codes in a row (and again after each further MaxFailedSignIns); a client
// address may try ClientSignInAttempts times per ThrottleWindow at each step of the
// sign-in, whichever accounts it tries.
const (
	MaxFailedSignIns     = 5
	LockoutDuration      = 15 * time.Minute
	ClientSignInAttempts = 20
	ThrottleWindow       = 15 * time.Minute
)

// ErrThrottled means the client tried to sign in too often; it may try again later.
var ErrThrottled = errors.New("too many sign-in attempts from this address; wait a quarter of an hour")

// SignIn checks an administrator's password and, if it is right, opens a session at the
// second-factor step; the token is for the browser's cookie. Every attempt is throttled
// per client address and recorded in the tenant's audit trail; every failure is
// ErrUnauthenticated, whatever was wrong.
func (s *Service) SignIn(ctx context.Context, tenantName, email, password, client string) (string, Session, error) {
	now := s.Settings.Now()
	throttled := s.throttle(ctx, "sign-in", client, now)
	if throttled != nil && !errors.Is(throttled, ErrThrottled) {
		return "", Session{}, throttled
	}
	t, err := s.Core.Tenant(ctx, tenantName)
	if errors.Is(err, mdm.ErrNotFound) {
		// A throttled client costs no password hash, whichever tenant it names.
		if throttled != nil {
			return "", Session{}, ErrThrottled
		}
		if err := refuseAlike(password); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, mdm.ErrUnauthenticated
	} else if err != nil {
		return "", Session{}, err
	}
	fail := func(subject, why string) (string, Session, error) {
		_ = s.Core.Record(ctx, t.ID, audit.Record{Actor: "client:" + client, Action: audit.AdminSignInFailed, Subject: subject,
			Details: audit.Fields(map[string]any{"email": email, "reason": why})})
		if why == "throttled" {
			return "", Session{}, ErrThrottled
		}
		return "", Session{}, mdm.ErrUnauthenticated
	}
	if throttled != nil {
		return fail(audit.Tenant.Of(t.ID), "throttled")
	}
	norm, err := mdm.NormalizeEmail(email)
	if err != nil {
		return fail(audit.Tenant.Of(t.ID), "unknown account")
	}
	a, err := s.own.AdminByEmail(ctx, t.ID, norm)
	if errors.Is(err, mdm.ErrNotFound) {
		if err := refuseAlike(password); err != nil {
			return "", Session{}, err
		}
		return fail(audit.Tenant.Of(t.ID), "unknown account")
	} else if err != nil {
		return "", Session{}, err
	}
	if a.Disabled() {
		if err := refuseAlike(password); err != nil {
			return "", Session{}, err
		}
		return fail(audit.Admin.Of(a.ID), "disabled")
	}
	if why, err := s.SSO().localSignInRefused(ctx, a); err != nil {
		return "", Session{}, err
	} else if why != "" {
		if err := refuseAlike(password); err != nil {
			return "", Session{}, err
		}
		return fail(audit.Admin.Of(a.ID), why)
	}
	why := ""
	if a.Locked(now) {
		why = "locked"
	} else if ok, err := CheckPassword(a, password); err != nil {
		return "", Session{}, err
	} else if !ok {
		why = "wrong password"
	}
	if why != "" {
		if _, err := s.countFailure(ctx, a, "client:"+client, why); err != nil {
			return "", Session{}, err
		}
		return "", Session{}, mdm.ErrUnauthenticated
	}
	stage := StageSecondFactor
	if a.TOTPConfirmedAt == nil {
		stage = StageTOTPSetup
	}
	token, sess := renew(Session{TenantID: t.ID, AdminID: a.ID, CreatedAt: now, ExpiresAt: now.Add(SessionMaxAge)}, stage, now)
	if err := s.own.CreateSession(ctx, &sess); err != nil {
		return "", Session{}, fmt.Errorf("open session: %w", err)
	}
	return token, sess, nil
}

// throttle counts an attempt of the client at a step of the sign-in ("sign-in",
// "second-factor"), each step with its own count, and is ErrThrottled when the client has
// tried more than ClientSignInAttempts times in the window.
func (s *Service) throttle(ctx context.Context, step, client string, now time.Time) error {
	window := now.Truncate(ThrottleWindow)
	n, err := s.own.CountSignInAttempt(ctx, step+":"+client+":"+window.Format(time.RFC3339), now, window.Add(ThrottleWindow))
	if err != nil {
		return fmt.Errorf("count sign-in attempts: %w", err)
	}
	if n > ClientSignInAttempts {
		return ErrThrottled
	}
	return nil
}

// countFailure counts a refused password or code of the administrator and records it, in
// one transaction. The count is one statement, so that parallel failures all count, and
// every MaxFailedSignIns failures in a row lock the account for LockoutDuration (counted
// by the same statement, so no failure undoes a lock another one set). Attempts on a
// locked account count too: a burst cannot get round the lock by being fast. It reports
// whether this failure locked the account.
func (s *Service) countFailure(ctx context.Context, a mdm.Admin, actor, why string) (locked bool, err error) {
	err = s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		until := at.Add(LockoutDuration)
		n, err := own.CountFailedSignIn(ctx, a.TenantID, a.ID, MaxFailedSignIns, until)
		if err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: actor, Action: audit.AdminSignInFailed,
			Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"email": a.Email, "reason": why})}); err != nil {
			return err
		}
		if locked = n%MaxFailedSignIns == 0; !locked {
			return nil
		}
		_, err = tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: actor, Action: audit.AdminLocked, Subject: audit.Admin.Of(a.ID),
			Details: audit.Fields(map[string]any{"failed_sign_ins": n, "until": until.UTC().Format(time.RFC3339)})})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("count failed sign-in of %s: %w", a.Email, err)
	}
	return locked, nil
}

// SessionFor returns the live session of a token with its administrator, and records the
// activity (at most once a minute). A dead or unknown session is ErrUnauthenticated.
func (s *Service) SessionFor(ctx context.Context, token string) (Session, mdm.Admin, error) {
	sess, err := s.own.SessionByHash(ctx, mdm.HashSecret(token))
	if errors.Is(err, mdm.ErrNotFound) {
		return Session{}, mdm.Admin{}, mdm.ErrUnauthenticated
	} else if err != nil {
		return Session{}, mdm.Admin{}, fmt.Errorf("look up session: %w", err)
	}
	now := s.Settings.Now()
	if !sess.Alive(now) {
		_ = s.own.DeleteSession(ctx, sess.Hash)
		return Session{}, mdm.Admin{}, mdm.ErrUnauthenticated
	}
	a, err := s.own.AdminByID(ctx, sess.TenantID, sess.AdminID)
	if err != nil {
		return Session{}, mdm.Admin{}, fmt.Errorf("administrator of session: %w", err)
	}
	// A locked account has no unfinished sign-in: whoever reached the second factor has
	// to start again once the lock ends.
	if a.Disabled() || (sess.Stage != StageActive && a.Locked(now)) {
		_ = s.own.DeleteSession(ctx, sess.Hash)
		return Session{}, mdm.Admin{}, mdm.ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		sess.LastSeenAt = now
		if err := s.own.UpdateSession(ctx, sess); err != nil {
			return Session{}, mdm.Admin{}, fmt.Errorf("record session activity: %w", err)
		}
	}
	return sess, a, nil
}

// TOTPSetup returns the second-factor secret and its otpauth URL for the set-up step of
// the session's sign-in, and nothing at any other step.
func (s *Service) TOTPSetup(ctx context.Context, token string) (secret, otpURL string, err error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return "", "", err
	}
	if sess.Stage != StageTOTPSetup {
		return "", "", fmt.Errorf("%w: the second factor is set up already", mdm.ErrConflict)
	}
	if secret, err = s.TOTPSecret(a); err != nil {
		return "", "", err
	}
	t, err := s.Core.TenantByID(ctx, a.TenantID)
	if err != nil {
		return "", "", err
	}
	issuer := "trennwand " + t.Name
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + a.Email,
		RawQuery: url.Values{"secret": {secret}, "issuer": {issuer}}.Encode()}
	return secret, u.String(), nil
}

// checkTOTP returns the time step of the code if it is the administrator's current code
// (or the one before or after, for clocks that drift); -1 if it is none of them.
func checkTOTP(secret, code string, now time.Time) int64 {
	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30
		}
	}
	return -1
}

// hashRecoveryCode returns the hash under which a recovery code is kept; dashes and case
// do not matter.
func hashRecoveryCode(code string) []byte {
	return mdm.HashSecret(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", "")))
}
