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

// Gate says, for the iPhone platform about to install work apps on the employees'
// devices, which of them may have which app: one who holds its licence. An app whose licence cannot be had (no token,
// the app is not in the catalogue, Apple refused) is refused with the reason to show on
// the device and the policy; one whose licence is on its way is refused without a
// reason, so that its installation is only held back. Since the employees' policy or
// devices have changed, it also asks for their licences to be reconciled. It reads the
// licences of these employees alone, so one new iPhone costs the same in a tenant of ten
// or of 100,000.
func (lic *Service) Gate(ctx context.Context, tenantID string, employeeIDs []string) (func(employeeID, bundleID string) (bool, string), error) {
	if err := lic.Reconcile(ctx, tenantID, employeeIDs...); err != nil {
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
	rows, err := lic.employeeLicences(ctx, tenantID, employeeIDs)
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

// Reconcile asks for the licences of the employees to be brought in line with their work
// policies and active iPhones: one of their iPhones enrolled, moved or was removed. With
// no employees, or more than scopedReconcileMax (a policy changed), the whole tenant's
// licences are reconciled.
func (lic *Service) Reconcile(ctx context.Context, tenantID string, employeeIDs ...string) error {
	employees := distinct(employeeIDs)
	if len(employees) > scopedReconcileMax {
		employees = nil
	}
	return lic.tables.Atomic(ctx, func(tx *store.Tx) error {
		if len(employees) == 0 {
			return enqueueReconcile(ctx, tx, tenantID, "")
		}
		for _, e := range employees {
			if err := enqueueReconcile(ctx, tx, tenantID, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// scopedReconcileMax is the most employees whose licences are reconciled one by one;
// beyond it one reconciliation of the whole tenant does less work.
const scopedReconcileMax = 50

// distinct returns the non-empty strings of ss once each, in their first order.
func distinct(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
