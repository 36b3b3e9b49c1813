package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Passkey is a WebAuthn credential an administrator registered as a second factor. Only
// its public part is kept.
type Passkey struct {
	ID           string
	TenantID     string
	AdminID      string
	CredentialID []byte
	Name         string
	Credential   string // go-webauthn's credential record (public key, flags, sign counter) as JSON
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// Ceremony is which WebAuthn ceremony a challenge belongs to.
type Ceremony string

// The ceremonies: adding a passkey, and proving the second factor with one.
const (
	CeremonyRegister Ceremony = "register"
	CeremonyVerify   Ceremony = "verify"
)

// Challenge is the server's half of a ceremony under way, bound to one session.
type Challenge struct {
	SessionHash []byte
	Ceremony    Ceremony
	TenantID    string
	AdminID     string
	Data        string // go-webauthn's session data (the challenge, the allowed credentials) as JSON
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// CeremonyTimeout is how long the browser has to answer a challenge; MaxPasskeys bounds
// the passkeys of one administrator.
const (
	CeremonyTimeout = 5 * time.Minute
	MaxPasskeys     = 10
)

// ErrStaleFactor means a change of the second factor needs a proof of it first, within
// FactorFresh.
var ErrStaleFactor = fmt.Errorf("%w: confirm your second factor again first", mdm.ErrConflict)

// errNoCeremony is the answer to a ceremony the session did not start, or one that ran
// out or was answered before.
var errNoCeremony = fmt.Errorf("%w: no passkey request is waiting for this answer, or it ran out; start again", mdm.ErrInvalid)

// Passkeys registers and checks administrators' passkeys for one relying party: the
// installation, named by the host of its public URL.
type Passkeys struct {
	s  *Service
	rp *webauthn.WebAuthn
}

// NewPasskeys returns the passkeys of s for the installation reached at publicURL: the
// relying party's ID is its host, and only its origin may answer a challenge.
func NewPasskeys(s *Service, publicURL *url.URL) (*Passkeys, error) {
	if publicURL == nil || publicURL.Hostname() == "" {
		return nil, errors.New("passkeys: the public URL names no host")
	}
	rp, err := webauthn.New(&webauthn.Config{
		RPID:                  publicURL.Hostname(),
		RPDisplayName:         "trennwand",
		RPOrigins:             []string{origin(publicURL)},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTimeout, TimeoutUVD: CeremonyTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: CeremonyTimeout, TimeoutUVD: CeremonyTimeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys for %s: %w", publicURL.Host, err)
	}
	return &Passkeys{s: s, rp: rp}, nil
}

// origin is the web origin of u as a browser states it: scheme and host, the port only
// when it is not the scheme's default.
func origin(u *url.URL) string {
	host := u.Host
	if port := u.Port(); (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		host = u.Hostname()
		if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
			host = "[" + host + "]"
		}
	}
	return u.Scheme + "://" + host
}

// passkeyUser is an administrator as go-webauthn sees them. The user handle is the
// administrator's random ID, which says nothing about the person.
type passkeyUser struct {
	a     mdm.Admin
	creds []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.a.ID) }
func (u passkeyUser) WebAuthnName() string                       { return u.a.Email }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.a.Email }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// user returns the administrator with their passkeys.
func (p *Passkeys) user(ctx context.Context, own Store, a mdm.Admin) (passkeyUser, []Passkey, error) {
	keys, err := own.Passkeys(ctx, a.TenantID, a.ID)
	if err != nil {
		return passkeyUser{}, nil, fmt.Errorf("passkeys of %s: %w", a.Email, err)
	}
	u := passkeyUser{a: a, creds: make([]webauthn.Credential, len(keys))}
	for i, k := range keys {
		if err := json.Unmarshal([]byte(k.Credential), &u.creds[i]); err != nil {
			return passkeyUser{}, nil, fmt.Errorf("passkey %s of %s: %w", k.ID, a.Email, err)
		}
	}
	return u, keys, nil
}

// AdminPasskeys returns the administrator's passkeys, oldest first.
func (s *Service) AdminPasskeys(ctx context.Context, a mdm.Admin) ([]Passkey, error) {
	keys, err := s.own.Passkeys(ctx, a.TenantID, a.ID)
	if err != nil {
		return nil, fmt.Errorf("passkeys of %s: %w", a.Email, err)
	}
	return keys, nil
}

// HasPasskey reports whether the administrator of the session has a passkey, so that the
// sign-in offers it. It reads the session as given, so that a sign-in ended meanwhile (by
// a lockout) is no error here.
func (s *Service) HasPasskey(ctx context.Context, sess Session) (bool, error) {
	keys, err := s.own.Passkeys(ctx, sess.TenantID, sess.AdminID)
	if err != nil {
		return false, fmt.Errorf("passkeys of administrator %s: %w", sess.AdminID, err)
	}
	return len(keys) > 0, nil
}

// BeginRegistration starts adding a passkey to the account of the session's
// administrator and returns the options for the browser's navigator.credentials.create.
// The session must be active and have proved the second factor within FactorFresh
// (ErrStaleFactor otherwise).
func (p *Passkeys) BeginRegistration(ctx context.Context, token string) (*protocol.CredentialCreation, error) {
	sess, a, err := p.freshSession(ctx, token)
	if err != nil {
		return nil, err
	}
	u, keys, err := p.user(ctx, p.s.own, a)
	if err != nil {
		return nil, err
	}
	if len(keys) >= MaxPasskeys {
		return nil, fmt.Errorf("%w: an account holds at most %d passkeys; remove one first", mdm.ErrConflict, MaxPasskeys)
	}
	creation, data, err := p.rp.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()))
	if err != nil {
		return nil, fmt.Errorf("begin passkey registration: %w", err)
	}
	return creation, p.putChallenge(ctx, sess, a, CeremonyRegister, data)
}

// FinishRegistration adds the passkey the browser made for the registration the session
// began, under the name the administrator gave it, and records it. An answer that does
// not fit the registration is ErrInvalid and adds nothing.
func (p *Passkeys) FinishRegistration(ctx context.Context, token string, r Registration) (Passkey, error) {
	sess, a, err := p.freshSession(ctx, token)
	if err != nil {
		return Passkey{}, err
	}
	data, err := p.takeChallenge(ctx, sess, CeremonyRegister)
	if err != nil {
		return Passkey{}, err
	}
	u, _, err := p.user(ctx, p.s.own, a)
	if err != nil {
		return Passkey{}, err
	}
	cred, err := p.rp.CreateCredential(u, data, r.response)
	if err != nil {
		return Passkey{}, fmt.Errorf("%w: the passkey's answer does not fit this registration (%s)", mdm.ErrInvalid, refusal(err))
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return Passkey{}, fmt.Errorf("keep passkey: %w", err)
	}
	key := Passkey{ID: mdm.NewID(), AdminID: a.ID, CredentialID: cred.ID, Name: r.Name, Credential: string(record)}
	err = p.s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		key.CreatedAt = at
		if keys, err := own.Passkeys(ctx, a.TenantID, a.ID); err != nil {
			return err
		} else if len(keys) >= MaxPasskeys {
			return fmt.Errorf("%w: an account holds at most %d passkeys; remove one first", mdm.ErrConflict, MaxPasskeys)
		}
		if err := own.CreatePasskey(ctx, a.TenantID, &key); errors.Is(err, mdm.ErrConflict) {
			return fmt.Errorf("%w: this passkey is registered already", mdm.ErrConflict)
		} else if err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminPasskeyAdd,
			Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"passkey": key.ID, "name": key.Name,
				"user_verified": cred.Flags.UserVerified})})
		return err
	})
	if err != nil {
		return Passkey{}, err
	}
	return key, nil
}

// RemovePasskey removes one of the administrator's own passkeys and records it. The last
// factor stays: a passkey is not removed when the administrator has no confirmed TOTP
// and no other passkey.
func (s *Service) RemovePasskey(ctx context.Context, a mdm.Admin, id string) error {
	return s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		keys, err := own.Passkeys(ctx, a.TenantID, a.ID)
		if err != nil {
			return err
		}
		var gone *Passkey
		for i := range keys {
			if keys[i].ID == id {
				gone = &keys[i]
			}
		}
		if gone == nil {
			return fmt.Errorf("passkey %s: %w", id, mdm.ErrNotFound)
		}
		fresh, err := own.AdminByID(ctx, a.TenantID, a.ID)
		if err != nil {
			return err
		}
		if fresh.TOTPConfirmedAt == nil && len(keys) == 1 {
			return fmt.Errorf("%w: this passkey is your only second factor; set up another one first", mdm.ErrConflict)
		}
		if err := own.DeletePasskey(ctx, a.TenantID, a.ID, id); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, a.TenantID, at, audit.Record{Actor: "admin:" + a.ID, Action: audit.AdminPasskeyRemove,
			Subject: audit.Admin.Of(a.ID), Details: audit.Fields(map[string]any{"passkey": id, "name": gone.Name})})
		return err
	})
}

// freshSession returns the active session of the token that proved the second factor
// within FactorFresh.
func (p *Passkeys) freshSession(ctx context.Context, token string) (Session, mdm.Admin, error) {
	sess, a, err := p.s.SessionFor(ctx, token)
	if err != nil {
		return Session{}, mdm.Admin{}, err
	}
	if sess.Stage != StageActive {
		return Session{}, mdm.Admin{}, mdm.ErrUnauthenticated
	}
	if !sess.FactorFresh(p.s.Settings.Now()) {
		return Session{}, mdm.Admin{}, ErrStaleFactor
	}
	return sess, a, nil
}

// putChallenge keeps the server's half of a ceremony for the session, in place of any
// earlier one of the same ceremony.
func (p *Passkeys) putChallenge(ctx context.Context, sess Session, a mdm.Admin, c Ceremony, data *webauthn.SessionData) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("keep passkey challenge: %w", err)
	}
	now := p.s.Settings.Now()
	err = p.s.own.PutChallenge(ctx, Challenge{SessionHash: sess.Hash, Ceremony: c, TenantID: a.TenantID, AdminID: a.ID,
		Data: string(raw), CreatedAt: now, ExpiresAt: now.Add(CeremonyTimeout)})
	if err != nil {
		return fmt.Errorf("keep passkey challenge: %w", err)
	}
	return nil
}

// takeChallenge takes the session's challenge of the ceremony, which then cannot be
// answered again; errNoCeremony when there is none or it ran out.
func (p *Passkeys) takeChallenge(ctx context.Context, sess Session, c Ceremony) (webauthn.SessionData, error) {
	ch, err := p.s.own.TakeChallenge(ctx, sess.Hash, c)
	if errors.Is(err, mdm.ErrNotFound) {
		return webauthn.SessionData{}, errNoCeremony
	} else if err != nil {
		return webauthn.SessionData{}, fmt.Errorf("take passkey challenge: %w", err)
	}
	if !p.s.Settings.Now().Before(ch.ExpiresAt) || ch.AdminID != sess.AdminID {
		return webauthn.SessionData{}, errNoCeremony
	}
	var data webauthn.SessionData
	if err := json.Unmarshal([]byte(ch.Data), &data); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("read passkey challenge: %w", err)
	}
	return data, nil
}

// refusal says in a few words why go-webauthn refused an answer.
func refusal(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return err.Error()
}
