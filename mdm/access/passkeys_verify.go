package access

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/trennwand/trennwand/mdm"
)

// BeginVerification returns the options for the browser's navigator.credentials.get to
// prove the second factor with a passkey: at the sign-in's second-factor step, or in an
// active session that confirms it again. ErrConflict when the administrator has no
// passkey.
func (p *Passkeys) BeginVerification(ctx context.Context, token string) (*protocol.CredentialAssertion, error) {
	sess, a, err := p.s.SessionFor(ctx, token)
	if err != nil {
		return nil, err
	}
	if sess.Stage != StageSecondFactor && sess.Stage != StageActive {
		return nil, fmt.Errorf("%w: a passkey is used after the password, once the second factor is set up", mdm.ErrConflict)
	}
	u, _, err := p.user(ctx, p.s.own, a)
	if err != nil {
		return nil, err
	}
	if len(u.creds) == 0 {
		return nil, fmt.Errorf("%w: this account has no passkey; use the code from the authenticator app", mdm.ErrConflict)
	}
	assertion, data, err := p.rp.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, fmt.Errorf("begin passkey check: %w", err)
	}
	return assertion, p.putChallenge(ctx, sess, a, CeremonyVerify, data)
}

// SignIn takes the second-factor step of a sign-in with the passkey's answer to the
// challenge BeginVerification made, as SecondFactor takes a code: a refused answer
// counts towards the lockout, the client is throttled at this step, and a right one
// renews the session at its next stage. The sign-in is recorded with the passkey used.
func (p *Passkeys) SignIn(ctx context.Context, token string, answer Assertion, client string) (NextStep, error) {
	sess, a, err := p.s.SessionFor(ctx, token)
	if err != nil {
		return NextStep{}, err
	}
	if sess.Stage != StageSecondFactor {
		return NextStep{}, fmt.Errorf("%w: this sign-in is not at the second factor", mdm.ErrConflict)
	}
	return p.prove(ctx, sess, a, answer, client)
}

// Confirm proves the second factor again with a passkey in an active session, as
// ConfirmCode does with a code, so that the factors may be changed for FactorFresh.
func (p *Passkeys) Confirm(ctx context.Context, token string, answer Assertion, client string) (NextStep, error) {
	sess, a, err := p.s.SessionFor(ctx, token)
	if err != nil {
		return NextStep{}, err
	}
	if sess.Stage != StageActive {
		return NextStep{}, mdm.ErrUnauthenticated
	}
	return p.prove(ctx, sess, a, answer, client)
}

// prove checks the passkey's answer to the session's challenge and passes the session's
// second-factor step with it: the sign-in's, or the confirmation of an active session.
// A passkey whose sign counter did not go up since its last use may have been copied;
// it is refused like a wrong answer, and its counter stays as it was.
func (p *Passkeys) prove(ctx context.Context, sess Session, a mdm.Admin, answer Assertion, client string) (NextStep, error) {
	if err := p.s.throttleFactor(ctx, a, client); err != nil {
		return NextStep{}, err
	}
	data, err := p.takeChallenge(ctx, sess, CeremonyVerify)
	if err != nil {
		return NextStep{}, err
	}
	u, keys, err := p.user(ctx, p.s.own, a)
	if err != nil {
		return NextStep{}, err
	}
	cred, err := p.rp.ValidateLogin(u, data, answer.response)
	if err != nil {
		return p.s.refuseFactor(ctx, sess, a, "passkey refused: "+refusal(err))
	}
	var used Passkey
	for _, k := range keys {
		if string(k.CredentialID) == string(cred.ID) {
			used = k
		}
	}
	if used.ID == "" {
		return p.s.refuseFactor(ctx, sess, a, "passkey refused: not one of the account's passkeys")
	}
	if cred.Authenticator.CloneWarning {
		return p.s.refuseFactor(ctx, sess, a, "passkey refused: its sign counter did not go up (it may have been copied)")
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return NextStep{}, fmt.Errorf("keep passkey: %w", err)
	}
	how := factorUse{How: "passkey", Passkey: used.ID, UserVerified: cred.Flags.UserVerified}
	return p.s.pass(ctx, sess, a, how, func(ctx context.Context, _ mdm.Store, own Store, at time.Time, _ *NextStep) error {
		return own.UsePasskey(ctx, a.TenantID, used.ID, string(record), at)
	})
}
