package installation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trennwand/trennwand/mdm"
)

// WorkPolicyNamed finds the tenant's work policy with the ID or name; the error for none
// names the policies there are.
func (in *Installation) WorkPolicyNamed(ctx context.Context, t mdm.Tenant, name string) (mdm.WorkPolicy, error) {
	if strings.TrimSpace(name) == "" {
		return mdm.WorkPolicy{}, errors.New("name the work policy with --policy")
	}
	policies, err := in.Service.WorkPolicy.WorkPolicies(ctx, t)
	if err != nil {
		return mdm.WorkPolicy{}, err
	}
	var names []string
	for _, p := range policies {
		if p.ID == name || p.Name == name {
			return p, nil
		}
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return mdm.WorkPolicy{}, fmt.Errorf("tenant %s has no work policy %q; it has %s", t.Name, name, strings.Join(names, ", "))
}
