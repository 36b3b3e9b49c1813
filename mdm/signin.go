package mdm

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Sign-in limits. An account is locked for LockoutDuration after MaxFailedSignIns wrong
// passwords or codes in a row; a client address may try ClientSignInAttempts times per
// ThrottleWindow, whichever accounts it tries.
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
	now := s.clock()
	window := now.Truncate(ThrottleWindow)
	n, err := s.store.CountSignInAttempt(ctx, "sign-in:"+client+":"+window.Format(time.RFC3339), now, window.Add(ThrottleWindow))
	if err != nil {
		return "", Session{}, fmt.Errorf("count sign-in attempts: %w", err)
	}
	t, err := s.store.TenantByName(ctx, tenantName)
	if errors.Is(err, ErrNotFound) {
		// A throttled client costs no password hash, whichever tenant it names.
		if n > ClientSignInAttempts {
			return "", Session{}, ErrThrottled
		}
		passwordMatches(password, dummyHash())
		return "", Session{}, ErrUnauthenticated
	} else if err != nil {
		return "", Session{}, err
	}
	fail := func(subject, why string) (string, Session, error) {
		_ = s.Record(ctx, t.ID, AuditRecord{Actor: "client:" + client, Action: "admin.sign_in_failed", Subject: subject,
			Details: AuditDetails(map[string]any{"email": email, "reason": why})})
		if why == "throttled" {
			return "", Session{}, ErrThrottled
		}
		return "", Session{}, ErrUnauthenticated
	}
	if n > ClientSignInAttempts {
		return fail("tenant:"+t.ID, "throttled")
	}
	norm, err := NormalizeEmail(email)
	if err != nil {
		return fail("tenant:"+t.ID, "unknown account")
	}
	a, err := s.store.AdminByEmail(ctx, t.ID, norm)
	if errors.Is(err, ErrNotFound) {
		passwordMatches(password, dummyHash())
		return fail("tenant:"+t.ID, "unknown account")
	} else if err != nil {
		return "", Session{}, err
	}
	if a.Disabled() {
		passwordMatches(password, dummyHash())
		return fail("admin:"+a.ID, "disabled")
	}
	if a.LockedUntil != nil && now.Before(*a.LockedUntil) {
		return fail("admin:"+a.ID, "locked")
	}
	if !a.CheckPassword(password) {
		if err := s.countFailure(ctx, a, now); err != nil {
			return "", Session{}, err
		}
		return fail("admin:"+a.ID, "wrong password")
	}
	stage := StageSecondFactor
	if a.TOTPConfirmedAt == nil {
		stage = StageTOTPSetup
	}
	token := tokenPrefixSession + strings.ToLower(randomBase32(32))
	sess := Session{Hash: HashSessionToken(token), TenantID: t.ID, AdminID: a.ID, Stage: stage,
		CSRF: strings.ToLower(randomBase32(20)), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionMaxAge)}
	if err := s.store.CreateSession(ctx, &sess); err != nil {
		return "", Session{}, fmt.Errorf("open session: %w", err)
	}
	return token, sess, nil
}

// tokenPrefixSession marks session tokens apart from API tokens.
const tokenPrefixSession = "tws_"

// countFailure counts a wrong password or code and locks the account when there were
// too many in a row.
func (s *Service) countFailure(ctx context.Context, a Admin, now time.Time) error {
	failed := a.FailedSignIns + 1
	var lock *time.Time
	if failed >= MaxFailedSignIns {
		until := now.Add(LockoutDuration)
		lock, failed = &until, 0
	}
	if err := s.store.SetAdminSignInState(ctx, a.TenantID, a.ID, failed, lock); err != nil {
		return fmt.Errorf("count failed sign-in of %s: %w", a.Email, err)
	}
	return nil
}

// SessionFor returns the live session of a token with its administrator, and records the
// activity (at most once a minute). A dead or unknown session is ErrUnauthenticated.
func (s *Service) SessionFor(ctx context.Context, token string) (Session, Admin, error) {
	sess, err := s.store.SessionByHash(ctx, HashSessionToken(token))
	if errors.Is(err, ErrNotFound) {
		return Session{}, Admin{}, ErrUnauthenticated
	} else if err != nil {
		return Session{}, Admin{}, fmt.Errorf("look up session: %w", err)
	}
	now := s.clock()
	if !sess.Alive(now) {
		_ = s.store.DeleteSession(ctx, sess.Hash)
		return Session{}, Admin{}, ErrUnauthenticated
	}
	a, err := s.store.AdminByID(ctx, sess.TenantID, sess.AdminID)
	if err != nil {
		return Session{}, Admin{}, fmt.Errorf("administrator of session: %w", err)
	}
	if a.Disabled() {
		_ = s.store.DeleteSession(ctx, sess.Hash)
		return Session{}, Admin{}, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		sess.LastSeenAt = now
		if err := s.store.UpdateSession(ctx, sess); err != nil {
			return Session{}, Admin{}, fmt.Errorf("record session activity: %w", err)
		}
	}
	return sess, a, nil
}

// Principal is who an active session acts as.
func (a Admin) Principal() Principal {
	return Principal{Actor: "admin:" + a.ID, TenantID: a.TenantID, Role: a.Role}
}

// TOTPSetup returns the second-factor secret and its otpauth URL for the set-up step of
// the session's sign-in, and nothing at any other step.
func (s *Service) TOTPSetup(ctx context.Context, token string) (secret, otpURL string, err error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return "", "", err
	}
	if sess.Stage != StageTOTPSetup {
		return "", "", fmt.Errorf("%w: the second factor is set up already", ErrConflict)
	}
	if secret, err = s.TOTPSecret(a); err != nil {
		return "", "", err
	}
	t, err := s.store.TenantByID(ctx, a.TenantID)
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
	sum := sha256.Sum256([]byte(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))))
	return sum[:]
}
