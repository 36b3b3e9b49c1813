package mdm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm/audit"
)

// TokenStore keeps API tokens.
type TokenStore interface {
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APITokenByHash returns the token with the hash, of whichever tenant: the secret
	// names its tenant.
	APITokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	// APITokens returns the tenant's tokens, newest first.
	APITokens(ctx context.Context, tenantID string) ([]APIToken, error)
	// TouchAPIToken records a use at `at`, unless one was recorded within the minute before,
	// so that a busy script does not write on every call.
	TouchAPIToken(ctx context.Context, id string, at time.Time) error
	// RevokeAPIToken revokes the tenant's token; ErrNotFound if it has none with the ID.
	RevokeAPIToken(ctx context.Context, tenantID, id string, at time.Time) error
}

// ErrUnauthenticated means the caller's credentials are missing, unknown, expired or
// revoked. Which of these it was is not told to the caller.
var ErrUnauthenticated = errors.New("not signed in")

// CreateToken makes an API token for tenant t with the request's role and returns it with
// its secret, which exists only here. A nil tenant makes a provider token, which must have
// the provider role.
func (s *Service) CreateToken(ctx context.Context, actor string, t *Tenant, req TokenRequest) (APIToken, string, error) {
	if (t == nil) != (req.Role == RoleProvider) {
		return APIToken{}, "", fmt.Errorf("%w: a provider token belongs to no tenant, every other token to one", ErrInvalid)
	}
	if _, err := ParseTokenRole(string(req.Role)); err != nil {
		return APIToken{}, "", err
	}
	name := strings.TrimSpace(req.Name)
	if len(name) > 100 {
		return APIToken{}, "", fmt.Errorf("%w: a token name has at most 100 characters", ErrInvalid)
	}
	validity := req.Validity
	if validity == 0 {
		validity = DefaultTokenValidity
	}
	if validity < time.Hour || validity > 5*DefaultTokenValidity {
		return APIToken{}, "", fmt.Errorf("%w: a token must be valid for between one hour and five years", ErrInvalid)
	}
	secret, hash := newTokenSecret()
	var tok APIToken
	err := s.atomic(ctx, func(tx Store, at time.Time) error {
		tok = APIToken{ID: NewID(), Name: name, Role: req.Role, Hash: hash, CreatedBy: actor,
			CreatedAt: at, ExpiresAt: at.Add(validity)}
		if t != nil {
			tok.TenantID = &t.ID
		}
		if err := tx.CreateAPIToken(ctx, &tok); err != nil {
			return fmt.Errorf("create API token: %w", err)
		}
		if t == nil {
			return nil
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TokenCreate, Subject: audit.Token.Of(tok.ID),
			Details: audit.Fields(map[string]any{"name": name, "role": req.Role, "expires_at": tok.ExpiresAt})})
		return err
	})
	return tok, secret, err
}

// AuthenticateToken returns who holds the token, and records its use. Unknown, expired and
// revoked tokens are all ErrUnauthenticated.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (Principal, error) {
	if _, err := ParseToken(token); err != nil {
		return Principal{}, ErrUnauthenticated
	}
	tok, err := s.store.APITokenByHash(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up API token: %w", err)
	}
	now := s.clock()
	if !tok.Active(now) {
		return Principal{}, ErrUnauthenticated
	}
	if err := s.store.TouchAPIToken(ctx, tok.ID, now); err != nil {
		return Principal{}, fmt.Errorf("record use of API token: %w", err)
	}
	p := Principal{Actor: "token:" + tok.ID, Role: tok.Role}
	if tok.TenantID != nil {
		p.TenantID = *tok.TenantID
	}
	return p, nil
}

// Tokens returns the tenant's API tokens, newest first, with their last use.
func (s *Service) Tokens(ctx context.Context, t Tenant) ([]APIToken, error) {
	toks, err := s.store.APITokens(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list API tokens of %s: %w", t.Name, err)
	}
	return toks, nil
}

// RevokeToken revokes one of the tenant's API tokens; a revoked token is refused from the
// next request on. Revoking it again changes nothing and is no error.
func (s *Service) RevokeToken(ctx context.Context, actor string, t Tenant, id string) error {
	return s.atomic(ctx, func(tx Store, at time.Time) error {
		if err := tx.RevokeAPIToken(ctx, t.ID, id, at); err != nil {
			return fmt.Errorf("API token %s: %w", id, err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TokenRevoke, Subject: audit.Token.Of(id),
			Details: audit.NoDetails})
		return err
	})
}
