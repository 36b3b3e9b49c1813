package access

import (
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// SessionStage is how far a dashboard sign-in has come. Only an active session may see or
// change anything; the others may only take the next step.
type SessionStage string

// The stages of a sign-in, in order. The password opens the second-factor step (setting
// the factor up on first sign-in); a one-time password must then be replaced before the
// session becomes active.
const (
	StageTOTPSetup      SessionStage = "totp_setup"
	StageSecondFactor   SessionStage = "second_factor"
	StagePasswordChange SessionStage = "password_change"
	StageActive         SessionStage = "active"
)

// Session is a dashboard sign-in, kept in the database so that every replica knows it.
// The browser holds the token in a cookie; only its hash is stored.
type Session struct {
	Hash       []byte
	TenantID   string
	AdminID    string
	Stage      SessionStage
	CSRF       string // the token every form and every change through the API must carry
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, however active the session is
	// FactorAt is when the session last proved the second factor: at sign-in, or again
	// on the account page. Adding a passkey needs a proof younger than FactorFresh.
	FactorAt *time.Time
}

// Session lifetimes: idle sessions end after SessionIdle, every session after
// SessionMaxAge, and an unfinished sign-in after SignInStepTimeout.
const (
	SessionIdle       = 30 * time.Minute
	SessionMaxAge     = 12 * time.Hour
	SignInStepTimeout = 10 * time.Minute
)

// Alive reports whether the session may still be used at now.
func (s Session) Alive(now time.Time) bool {
	if !now.Before(s.ExpiresAt) {
		return false
	}
	idle := SessionIdle
	if s.Stage != StageActive {
		idle = SignInStepTimeout
	}
	return now.Sub(s.LastSeenAt) < idle
}

// FactorFresh is how long a proof of the second factor counts for a change of the
// factors themselves (adding a passkey).
const FactorFresh = 10 * time.Minute

// FactorFresh reports whether the session proved the second factor within FactorFresh
// before now.
func (s Session) FactorFresh(now time.Time) bool {
	return s.FactorAt != nil && now.Sub(*s.FactorAt) < FactorFresh
}

// tokenPrefixSession marks session tokens apart from API tokens.
const tokenPrefixSession = "tws_"

// renew returns the session at stage under a new token (for the browser's cookie) and a
// new CSRF token. Each step of a sign-in renews them, so that a token seen before a step
// is worth nothing after it.
func renew(sess Session, stage SessionStage, at time.Time) (string, Session) {
	token := tokenPrefixSession + strings.ToLower(mdm.RandomBase32(32))
	sess.Hash, sess.CSRF = mdm.HashSecret(token), strings.ToLower(mdm.RandomBase32(20))
	sess.Stage, sess.LastSeenAt = stage, at
	return token, sess
}
