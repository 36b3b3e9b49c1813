package licences

import (
	"context"
	"errors"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// noToken is shown on the devices while the tenant has no Apps and Books token.
const noToken = "no Apple Apps and Books token: upload the tenant's .vpptoken (trennwand apple vpp-token upload)"

// notInCatalogue is shown on the devices for an app the tenant holds no licences of.
const notInCatalogue = "not in the tenant's Apps and Books catalogue: get licences for it in Apple Business Manager"

// Gate says, for the iPhone platform about to install work apps, which employee may have
// which app: one who holds its licence. An app whose licence cannot be had (no token,
// the app is not in the catalogue, Apple refused) is refused with the reason to show on
// the device and the policy; one whose licence is on its way is refused without a
// reason, so that its installation is only held back. Since the tenant's policy or
// devices have changed, it also asks for the tenant's licences to be reconciled.
func (lic *Service) Gate(ctx context.Context, tenantID string) (func(employeeID, bundleID string) (bool, string), error) {
	if err := lic.Reconcile(ctx, tenantID); err != nil {
		return nil, err
	}
	problem := ""
	tok, err := lic.token(ctx, tenantID)
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		problem = noToken
	case err != nil:
		return nil, err
	case tok.Problem != "":
		problem = tok.Problem
	}
	catalogue, err := lic.assets(ctx, lic.db, tenantID)
	if err != nil {
		return nil, err
	}
	rows, err := lic.licences(ctx, lic.db, tenantID)
	if err != nil {
		return nil, err
	}
	held := make(map[licenceKey]vppLicence, len(rows))
	for _, l := range rows {
		held[licenceKey{l.EmployeeID, l.AdamID}] = l
	}
	return func(employeeID, bundleID string) (bool, string) {
		if problem != "" {
			return false, problem
		}
		a, ok := catalogue[bundleID]
		if !ok {
			return false, notInCatalogue
		}
		switch l := held[licenceKey{employeeID, a.AdamID}]; l.State {
		case licenceAssociated:
			return true, ""
		case licenceFailed:
			return false, l.Error
		}
		return false, ""
	}, nil
}

// Reconcile asks for the tenant's licences to be brought in line with its work policies
// and active iPhones: an iPhone was removed, or a policy changed.
func (lic *Service) Reconcile(ctx context.Context, tenantID string) error {
	return lic.tables.Atomic(ctx, func(tx *store.Tx) error { return enqueueReconcile(ctx, tx, tenantID) })
}
