package mdm

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// RecoveryCodes is how many recovery codes an administrator gets when the second factor
// is set up; each works once in place of a code from the authenticator.
const RecoveryCodes = 10

var totpCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

// SecondFactor takes the code of the session's second-factor step: a code from the
// authenticator, or at the second-factor step also a recovery code. On the set-up step
// a right code confirms the factor and returns the new recovery codes, to be shown once.
// Wrong codes count towards the lockout like wrong passwords.
func (s *Service) SecondFactor(ctx context.Context, token, code string) (Session, []string, error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return Session{}, nil, err
	}
	if sess.Stage != StageTOTPSetup && sess.Stage != StageSecondFactor {
		return Session{}, nil, fmt.Errorf("%w: this sign-in is past the second factor", ErrConflict)
	}
	now := s.clock()
	if a.LockedUntil != nil && now.Before(*a.LockedUntil) {
		return s.refuseFactor(ctx, sess, a, "locked")
	}
	code = strings.TrimSpace(code)
	how := "totp"
	if totpCodePattern.MatchString(code) {
		secret, err := s.TOTPSecret(a)
		if err != nil {
			return Session{}, nil, err
		}
		step := checkTOTP(secret, code, now)
		if step < 0 {
			return s.refuseFactor(ctx, sess, a, "wrong code")
		}
		if err := s.store.AcceptTOTPStep(ctx, a.TenantID, a.ID, step, now); errors.Is(err, ErrConflict) {
			return s.refuseFactor(ctx, sess, a, "code used before")
		} else if err != nil {
			return Session{}, nil, err
		}
	} else {
		how = "recovery code"
		if sess.Stage != StageSecondFactor {
			return s.refuseFactor(ctx, sess, a, "recovery code before set-up")
		}
		if err := s.store.UseRecoveryCode(ctx, a.TenantID, a.ID, hashRecoveryCode(code), now); errors.Is(err, ErrNotFound) {
			return s.refuseFactor(ctx, sess, a, "wrong recovery code")
		} else if err != nil {
			return Session{}, nil, err
		}
	}
	var codes []string
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		if err := tx.SetAdminSignInState(ctx, a.TenantID, a.ID, 0, nil); err != nil {
			return err
		}
		if sess.Stage == StageTOTPSetup {
			hashes := make([][]byte, RecoveryCodes)
			codes = make([]string, RecoveryCodes)
			for i := range codes {
				c := strings.ToLower(randomBase32(7))[:10]
				codes[i] = c[:5] + "-" + c[5:]
				hashes[i] = hashRecoveryCode(codes[i])
			}
			if err := tx.ReplaceRecoveryCodes(ctx, a.TenantID, a.ID, hashes); err != nil {
				return err
			}
			if _, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSecondFactorSetup,
				Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"recovery_codes": RecoveryCodes})}); err != nil {
				return err
			}
		}
		sess.Stage = StageActive
		if a.MustChangePassword {
			sess.Stage = StagePasswordChange
		}
		sess.LastSeenAt = at
		if err := tx.UpdateSession(ctx, sess); err != nil {
			return err
		}
		return recordSignIn(ctx, tx, at, a, sess, how)
	})
	return sess, codes, err
}

// refuseFactor counts and records a refused second factor. When the refusal locks the
// account, the half-finished sign-in ends too.
func (s *Service) refuseFactor(ctx context.Context, sess Session, a Admin, why string) (Session, []string, error) {
	now := s.clock()
	if why != "locked" {
		if err := s.countFailure(ctx, a, now); err != nil {
			return Session{}, nil, err
		}
	}
	if why == "locked" || a.FailedSignIns+1 >= MaxFailedSignIns {
		_ = s.store.DeleteSession(ctx, sess.Hash)
	}
	_ = s.Record(ctx, a.TenantID, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSignInFailed, Subject: audit.Admin.Of(a.ID),
		Details: audit.Fields(map[string]any{"email": a.Email, "reason": why})})
	return Session{}, nil, ErrUnauthenticated
}

// recordSignIn records a finished sign-in: the session is active, or waits only for the
// one-time password to be replaced.
func recordSignIn(ctx context.Context, tx Store, at time.Time, a Admin, sess Session, how string) error {
	_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSignIn, Subject: audit.Admin.Of(a.ID),
		Details: audit.Fields(map[string]any{"second_factor": how, "stage": sess.Stage})})
	return err
}

// ValidatePassword checks a password an administrator chooses.
func ValidatePassword(p string) error {
	if n := len([]rune(p)); n < 12 || n > 200 {
		return fmt.Errorf("%w: a password has 12 to 200 characters", ErrInvalid)
	}
	return nil
}

// ChangePassword replaces the one-time password of a session at the password step, which
// then becomes active.
func (s *Service) ChangePassword(ctx context.Context, token, password string) (Session, error) {
	sess, a, err := s.SessionFor(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if sess.Stage != StagePasswordChange {
		return Session{}, fmt.Errorf("%w: this sign-in has no password to change", ErrConflict)
	}
	if err := ValidatePassword(password); err != nil {
		return Session{}, err
	}
	if a.CheckPassword(password) {
		return Session{}, fmt.Errorf("%w: choose a password other than the one-time password", ErrInvalid)
	}
	hash, err := hashPassword(password)
	if err != nil {
		return Session{}, fmt.Errorf("hash password: %w", err)
	}
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		if err := tx.SetAdminPassword(ctx, a.TenantID, a.ID, hash); err != nil {
			return err
		}
		sess.Stage, sess.LastSeenAt = StageActive, at
		if err := tx.UpdateSession(ctx, sess); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminPasswordChange,
			Subject: audit.Admin.Of(a.ID), Details: audit.NoDetails})
		return err
	})
	return sess, err
}

// SignOut ends the session of a token and records it; an unknown token is no error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	sess, a, err := s.SessionFor(ctx, token)
	if errors.Is(err, ErrUnauthenticated) {
		return nil
	} else if err != nil {
		return err
	}
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		if err := tx.DeleteSession(ctx, sess.Hash); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminSignOut,
			Subject: audit.Admin.Of(a.ID), Details: audit.NoDetails})
		return err
	})
}
