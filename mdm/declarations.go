package mdm

import (
	"context"
	"fmt"
)

// DeclarationState is the state a device reported of one declaration its platform sent
// it (Apple's declarative device management): whether the device applies it and, if not,
// why, in the device's words.
type DeclarationState struct {
	// Identifier names the declaration; Kind is what it is (configuration, activation,
	// asset, management).
	Identifier string
	Kind       string
	Active     bool
	// Valid is "valid", "invalid" or "unknown", as the device judged the declaration.
	Valid   string
	Reasons string
}

// The states a declaration is shown in.
const (
	DeclarationApplied  = "applied"
	DeclarationInvalid  = "invalid"
	DeclarationInactive = "inactive"
)

// State sums the declaration's state up for a list: applied (active and valid), invalid,
// or inactive (valid or not judged yet, but not applied).
func (s DeclarationState) State() string {
	switch {
	case s.Active && s.Valid == "valid":
		return DeclarationApplied
	case s.Valid == "invalid":
		return DeclarationInvalid
	}
	return DeclarationInactive
}

// DeclarationReader is a platform's part of showing the states of a device's
// declarations, read inside tx.
type DeclarationReader interface {
	Declarations(ctx context.Context, tx Store, tenantID string, d Device) ([]DeclarationState, error)
}

// declarationsOf reads the states of the device's declarations from its platform, inside
// tx; none when the platform sends no declarations.
func (s *Service) declarationsOf(ctx context.Context, tx Store, d Device) ([]DeclarationState, error) {
	i := s.platformIndex(d.Platform)
	if i < 0 || s.platforms[i].Declarations == nil {
		return nil, nil
	}
	out, err := s.platforms[i].Declarations.Declarations(ctx, tx, d.TenantID, d)
	if err != nil {
		return nil, fmt.Errorf("declarations of device %s: %w", d.ID, err)
	}
	return out, nil
}
