package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Rules returns the tenant's rules by priority.
func (s *Service) Rules(ctx context.Context, t mdm.Tenant) ([]Rule, error) {
	return s.Tables(s.DB).Rules(ctx, t.ID)
}

// SetRules replaces the tenant's rules with rs, in their order of priority, and records
// the change. A group named twice, an empty one or a work policy the tenant does not have
// is refused and changes nothing. The devices follow at the next sync.
func (s *Service) SetRules(ctx context.Context, actor string, t mdm.Tenant, rs []Rule) ([]Rule, error) {
	seen := map[string]bool{}
	out := make([]Rule, len(rs))
	for i, r := range rs {
		g := strings.TrimSpace(r.GroupName)
		if g == "" || len(g) > 1024 || !utf8.ValidString(g) || strings.ContainsAny(g, "\n\r") {
			return nil, fmt.Errorf("%w: rule %d: a group is named by one line of 1 to 1,024 characters", mdm.ErrInvalid, i+1)
		}
		if seen[strings.ToLower(g)] {
			return nil, fmt.Errorf("%w: rule %d: the group %q has a rule already", mdm.ErrInvalid, i+1, g)
		}
		seen[strings.ToLower(g)] = true
		out[i] = Rule{TenantID: t.ID, GroupName: g, Priority: i + 1, PolicyID: r.PolicyID, AutoInvite: r.AutoInvite}
	}
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		for i, r := range out {
			if _, err := tx.Policies().WorkPolicy(ctx, t.ID, r.PolicyID); err != nil {
				if errors.Is(err, mdm.ErrNotFound) {
					return fmt.Errorf("%w: rule %d: the work policy %q does not exist", mdm.ErrInvalid, i+1, r.PolicyID)
				}
				return err
			}
		}
		if err := s.Tables(tx).ReplaceRules(ctx, t.ID, out); err != nil {
			return err
		}
		groups := make([]map[string]any, len(out))
		for i, r := range out {
			groups[i] = map[string]any{"group": r.GroupName, "policy": r.PolicyID, "auto_invite": r.AutoInvite}
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DirectoryRules, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"rules": groups})})
		return err
	})
	return out, err
}
