package domain

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/audit"
)

// accounts names the trail's administrators and API tokens from the access sub-domain,
// which keeps them, so that the trail reads their names as they are now.
type accounts struct{ access *access.Service }

func (a accounts) Accounts(ctx context.Context, t mdm.Tenant) (map[string]audit.Party, error) {
	admins, err := a.access.Admins(ctx, t)
	if err != nil {
		return nil, err
	}
	tokens, err := a.access.Tokens(ctx, t)
	if err != nil {
		return nil, err
	}
	out := make(map[string]audit.Party, len(admins)+len(tokens))
	for _, ad := range admins {
		out[audit.Admin.Of(ad.ID)] = audit.Party{Kind: audit.Admin, ID: ad.ID, Name: ad.Email, Role: string(ad.Role)}
	}
	for _, tok := range tokens {
		out[audit.Token.Of(tok.ID)] = audit.Party{Kind: audit.Token, ID: tok.ID, Name: tok.Name, Role: string(tok.Role)}
	}
	return out, nil
}
