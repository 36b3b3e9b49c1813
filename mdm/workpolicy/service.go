// Package workpolicy keeps the tenants' work policies: what IT wants in the work container
// of a device (which apps, with which managed configuration, and the container's rules),
// which policy is a tenant's default, and which policy each device has. It owns the
// tables work_policies and app_assignments and a device's work_policy_id.
//
// Its rules: a policy is changed only from its current version (a change made on an old
// copy is refused); a tenant's first policy is its default; every change queues the job
// that brings the platforms in line and appends its audit event in the same transaction;
// a device that is being removed keeps the policy it has.
//
// An app's managed configuration is a JSON object; this package also gives it the forms
// an editor needs: the settings an app declares (ConfigProperty) and the typed rows of an
// iOS configuration (ConfigRow).
package workpolicy

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Store is what the work policies keep in the database: the policies with their apps,
// the tenant's default, and each device's policy.
type Store interface {
	CreateWorkPolicy(ctx context.Context, tenantID string, p *mdm.WorkPolicy) error
	WorkPolicy(ctx context.Context, tenantID, id string) (mdm.WorkPolicy, error)
	WorkPolicies(ctx context.Context, tenantID string) ([]mdm.WorkPolicy, error)
	// UpdateWorkPolicy replaces the policy and its apps if it is still at p.Version, and
	// raises p.Version by one; otherwise it fails with ErrConflict.
	UpdateWorkPolicy(ctx context.Context, tenantID string, p *mdm.WorkPolicy) error
	// DefaultWorkPolicy returns the tenant's default policy with its apps; ErrNotFound
	// when it has none.
	DefaultWorkPolicy(ctx context.Context, tenantID string) (mdm.WorkPolicy, error)
	// SetDefaultWorkPolicy makes the policy the tenant's only default.
	SetDefaultWorkPolicy(ctx context.Context, tenantID, id string) error
	// SetDeviceWorkPolicy gives the device the policy.
	SetDeviceWorkPolicy(ctx context.Context, tenantID, deviceID, policyID string, at time.Time) error
}

// Service creates, changes and hands out work policies, and moves devices between them.
type Service struct {
	mdm.Domain[Store]
}

// New returns the work policies kept in db, whose tables in a transaction tables gives;
// core provides the clock.
func New(core *mdm.Service, db mdm.Store, tables func(tx mdm.Store) Store) *Service {
	return &Service{Domain: mdm.NewDomain(core, db, tables)}
}
