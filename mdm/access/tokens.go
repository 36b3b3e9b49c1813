package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// CreateToken makes an API token for tenant t with the request's role and returns it with
// its secret, which exists only here. A nil tenant makes a provider token, which must have
// the provider role.
func (s *Service) CreateToken(ctx context.Context, actor string, t *mdm.Tenant, req TokenRequest) (APIToken, string, error) {
	if (t == nil) != (req.Role == mdm.RoleProvider) {
		return APIToken{}, "", fmt.Errorf("%w: a provider token belongs to no tenant, every other token to one", mdm.ErrInvalid)
	}
	if _, err := mdm.ParseTokenRole(string(req.Role)); err != nil {
		return APIToken{}, "", err
	}
	name := strings.TrimSpace(req.Name)
	if len(name) > 100 {
		return APIToken{}, "", mdm.Refuse("refusal.token_name", fmt.Errorf("%w: a token name has at most 100 characters", mdm.ErrInvalid))
	}
	validity := req.Validity
	if validity == 0 {
		validity = DefaultTokenValidity
	}
	if validity < time.Hour || validity > 5*DefaultTokenValidity {
		return APIToken{}, "", mdm.Refuse("refusal.token_validity", fmt.Errorf("%w: a token must be valid for between one hour and five years", mdm.ErrInvalid))
	}
	secret, hash := newTokenSecret()
	var tok APIToken
	err := s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		tok = APIToken{ID: mdm.NewID(), Name: name, Role: req.Role, Hash: hash, CreatedBy: actor,
			CreatedAt: at, ExpiresAt: at.Add(validity)}
		if t != nil {
			tok.TenantID = &t.ID
		}
		if err := own.CreateAPIToken(ctx, &tok); err != nil {
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
func (s *Service) AuthenticateToken(ctx context.Context, token string) (mdm.Principal, error) {
	if _, err := ParseToken(token); err != nil {
		return mdm.Principal{}, mdm.ErrUnauthenticated
	}
	tok, err := s.own.APITokenByHash(ctx, mdm.HashSecret(token))
	if errors.Is(err, mdm.ErrNotFound) {
		return mdm.Principal{}, mdm.ErrUnauthenticated
	}
	if err != nil {
		return mdm.Principal{}, fmt.Errorf("look up API token: %w", err)
	}
	now := s.Settings.Now()
	if !tok.Active(now) {
		return mdm.Principal{}, mdm.ErrUnauthenticated
	}
	if err := s.own.TouchAPIToken(ctx, tok.ID, now); err != nil {
		return mdm.Principal{}, fmt.Errorf("record use of API token: %w", err)
	}
	p := mdm.Principal{Actor: "token:" + tok.ID, Role: tok.Role}
	if tok.TenantID != nil {
		p.TenantID = *tok.TenantID
	}
	return p, nil
}

// Tokens returns the tenant's API tokens, newest first, with their last use.
func (s *Service) Tokens(ctx context.Context, t mdm.Tenant) ([]APIToken, error) {
	toks, err := s.own.APITokens(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list API tokens of %s: %w", t.Name, err)
	}
	return toks, nil
}

// RevokeToken revokes one of the tenant's API tokens; a revoked token is refused from the
// next request on. Revoking it again changes nothing and is no error.
func (s *Service) RevokeToken(ctx context.Context, actor string, t mdm.Tenant, id string) error {
	return s.atomic(ctx, func(tx mdm.Store, own Store, at time.Time) error {
		if err := own.RevokeAPIToken(ctx, t.ID, id, at); err != nil {
			return fmt.Errorf("API token %s: %w", id, err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TokenRevoke, Subject: audit.Token.Of(id),
			Details: audit.NoDetails})
		return err
	})
}
