package access

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// RecoveryCodes is how many recovery codes an administrator gets when the second factor
// is set up; each works once in place of a code from the authenticator.
const RecoveryCodes = 10

var totpCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

// NextStep is what a sign-in step that succeeded hands back: the session at its next
// stage under a new token for the browser's cookie, and after the set-up of the second
// factor the recovery codes, to be shown once.
type NextStep struct {
	Token         string
	Session       Session
	RecoveryCodes []string
}

// SecondFactor takes the code of the session's second-factor step: a code from the
// authenticator, or at the second-factor step also a recovery code. On the set-up step
// a right code confirms the factor and returns the new recovery codes, to be shown once.
// Wrong codes count towards the lockout like wrong passwords, and the client is throttled
// at this step as at the password. A right code renews the session: the token and CSRF
// token of the password step stop working.
func (s *Service) SecondFactor(ctx context.Context, token, code, client string) (NextStep, error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return NextStep{}, err
	}
	if sess.Stage != StageTOTPSetup && sess.Stage != StageSecondFactor {
		return NextStep{}, fmt.Errorf("%w: this sign-in is past the second factor", mdm.ErrConflict)
	}
	if err := s.throttleFactor(ctx, a, client); err != nil {
		return NextStep{}, err
	}
	code = strings.TrimSpace(code)
	how := factorUse{How: "totp"}
	if totpCodePattern.MatchString(code) {
		if why, err := s.checkCode(ctx, a, code); err != nil {
			return NextStep{}, err
		} else if why != "" {
			return s.refuseFactor(ctx, sess, a, why)
		}
	} else {
		how.How = "recovery code"
		if sess.Stage != StageSecondFactor {
			return s.refuseFactor(ctx, sess, a, "recovery code before set-up")
		}
		if err := s.own.UseRecoveryCode(ctx, a.TenantID, a.ID, hashRecoveryCode(code), s.Settings.Now()); errors.Is(err, mdm.ErrNotFound) {
			return s.refuseFactor(ctx, sess, a, "wrong recovery code")
		} else if err != nil {
			return NextStep{}, err
		}
	}
	return s.pass(ctx, sess, a, how, func(ctx context.Context, tx mdm.Store, own Store, at time.Time, next *NextStep) error {
		if sess.Stage != StageTOTPSetup {
			return nil
		}
		hashes := make([][]byte, RecoveryCodes)
		next.RecoveryCodes = make([]string, RecoveryCodes)
		for i := range next.RecoveryCodes {
			c := strings.ToLower(mdm.RandomBase32(7))[:10]
			next.RecoveryCodes[i] = c[:5] + "-" + c[5:]
			hashes[i] = hashRecoveryCode(next.RecoveryCodes[i])
		}
		if err := own.ReplaceRecoveryCodes(ctx, a.TenantID, a.ID, hashes); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSecondFactorSetup,
			Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"recovery_codes": RecoveryCodes})})
		return err
	})
}

// ConfirmCode proves the second factor again with a code from the authenticator in an
// active session, so that the factors may be changed for FactorFresh. It is checked,
// counted and throttled as at sign-in, and renews the session.
func (s *Service) ConfirmCode(ctx context.Context, token, code, client string) (NextStep, error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return NextStep{}, err
	}
	if sess.Stage != StageActive {
		return NextStep{}, mdm.ErrUnauthenticated
	}
	if err := s.throttleFactor(ctx, a, client); err != nil {
		return NextStep{}, err
	}
	why := "wrong code"
	if code = strings.TrimSpace(code); totpCodePattern.MatchString(code) {
		if why, err = s.checkCode(ctx, a, code); err != nil {
			return NextStep{}, err
		}
	}
	if why != "" {
		return s.refuseFactor(ctx, sess, a, why)
	}
	return s.pass(ctx, sess, a, factorUse{How: "totp"}, nil)
}

// throttleFactor counts the client's attempt at the second factor, and records a
// throttled one in the administrator's trail.
func (s *Service) throttleFactor(ctx context.Context, a mdm.Admin, client string) error {
	err := s.throttle(ctx, "second-factor", client, s.Settings.Now())
	if errors.Is(err, ErrThrottled) {
		_ = s.Core.Record(ctx, a.TenantID, audit.Record{Actor: "client:" + client, Action: audit.AdminSignInFailed, Subject: audit.Admin.Of(a.ID),
			Details: audit.Fields(map[string]any{"email": a.Email, "reason": "throttled"})})
	}
	return err
}

// checkCode accepts a code of the administrator's authenticator once; it returns why it
// was refused, or "".
func (s *Service) checkCode(ctx context.Context, a mdm.Admin, code string) (string, error) {
	secret, err := s.TOTPSecret(a)
	if err != nil {
		return "", err
	}
	now := s.Settings.Now()
	step := checkTOTP(secret, code, now)
	if step < 0 {
		return "wrong code", nil
	}
	if err := s.own.AcceptTOTPStep(ctx, a.TenantID, a.ID, step, now); errors.Is(err, mdm.ErrConflict) {
		return "code used before", nil
	} else if err != nil {
		return "", err
	}
	return "", nil
}

// factorUse is how a second-factor step was passed, as the sign-in's event records it.
type factorUse struct {
	How          string // "totp", "recovery code" or "passkey"
	Passkey      string // the passkey's ID
	UserVerified bool   // the passkey checked the person (PIN, fingerprint)
}

// pass finishes a second-factor step that succeeded, in one transaction: the failures
// are forgotten, also (when given) does the step's own writes, and the session is renewed
// at its next stage with the time of the proof. A step of a sign-in is recorded as the
// sign-in; an active session's confirmation stays active.
func (s *Service) pass(ctx context.Context, sess Session, a mdm.Admin, how factorUse,
	also func(ctx context.Context, tx mdm.Store, own Store, at time.Time, next *NextStep) error) (NextStep, error) {
	var next NextStep
	err := s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		if err := own.ClearFailedSignIns(ctx, a.TenantID, a.ID); err != nil {
			return err
		}
		if also != nil {
			if err := also(ctx, tx, own, at, &next); err != nil {
				return err
			}
		}
		stage := StageActive
		if sess.Stage != StageActive && a.MustChangePassword {
			stage = StagePasswordChange
		}
		proved := sess
		proved.FactorAt = &at
		next.Token, next.Session = renew(proved, stage, at)
		if err := own.RenewSession(ctx, sess.Hash, next.Session); err != nil {
			return err
		}
		if sess.Stage == StageActive {
			return nil
		}
		return recordSignIn(ctx, tx, at, a, next.Session, how)
	})
	if err != nil {
		return NextStep{}, err
	}
	return next, nil
}

// refuseFactor counts and records a refused second factor. When the refusal locks the
// account, the half-finished sign-in ends too (and any other one of the administrator at
// its next request; see SessionFor).
func (s *Service) refuseFactor(ctx context.Context, sess Session, a mdm.Admin, why string) (NextStep, error) {
	locked, err := s.countFailure(ctx, a, "admin:"+a.ID, why)
	if err != nil {
		return NextStep{}, err
	}
	if locked {
		_ = s.own.DeleteSession(ctx, sess.Hash)
	}
	return NextStep{}, mdm.ErrUnauthenticated
}

// recordSignIn records a finished sign-in: the session is active, or waits only for the
// one-time password to be replaced.
func recordSignIn(ctx context.Context, tx mdm.Store, at time.Time, a mdm.Admin, sess Session, how factorUse) error {
	details := map[string]any{"second_factor": how.How, "stage": sess.Stage}
	if how.Passkey != "" {
		details["passkey"], details["user_verified"] = how.Passkey, how.UserVerified
	}
	_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSignIn, Subject: audit.Admin.Of(a.ID),
		Details: audit.Fields(details)})
	return err
}

// ValidatePassword checks a password an administrator chooses.
func ValidatePassword(p string) error {
	if n := len([]rune(p)); n < 12 || n > 200 {
		return fmt.Errorf("%w: a password has 12 to 200 characters", mdm.ErrInvalid)
	}
	return nil
}

// ChangePassword replaces the one-time password of a session at the password step, which
// then becomes active under a new token: the one of the step before stops working.
func (s *Service) ChangePassword(ctx context.Context, token, password string) (NextStep, error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return NextStep{}, err
	}
	if sess.Stage != StagePasswordChange {
		return NextStep{}, fmt.Errorf("%w: this sign-in has no password to change", mdm.ErrConflict)
	}
	if err := ValidatePassword(password); err != nil {
		return NextStep{}, err
	}
	if same, err := CheckPassword(a, password); err != nil {
		return NextStep{}, err
	} else if same {
		return NextStep{}, fmt.Errorf("%w: choose a password other than the one-time password", mdm.ErrInvalid)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return NextStep{}, fmt.Errorf("hash password: %w", err)
	}
	var next NextStep
	err = s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		if err := own.SetAdminPassword(ctx, a.TenantID, a.ID, hash); err != nil {
			return err
		}
		next.Token, next.Session = renew(sess, StageActive, at)
		if err := own.RenewSession(ctx, sess.Hash, next.Session); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminPasswordChange,
			Subject: audit.Admin.Of(a.ID), Details: audit.NoDetails})
		return err
	})
	if err != nil {
		return NextStep{}, err
	}
	return next, nil
}

// SignOut ends the session of a token and records it; an unknown token is no error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	sess, a, err := s.SessionFor(ctx, token)
	if errors.Is(err, mdm.ErrUnauthenticated) {
		return nil
	} else if err != nil {
		return err
	}
	return s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		if err := own.DeleteSession(ctx, sess.Hash); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSignOut,
			Subject: audit.Admin.Of(a.ID), Details: audit.NoDetails})
		return err
	})
}
