package ios

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// A phone gets a new declaration set only when its policy is applied again. A release that
// changes what every set contains (a status item more) would leave the phones enrolled
// before it on their old sets; so the server keeps the fingerprint of the sets it builds
// (ddm.Shape) and, when it finds another, applies the policies of the declarative phones
// again, which sends the phones whose set changed one sync each (syncDeclarations).
const (
	// DeclarationShapeEvery is how often the job compares the fingerprint; it runs when the
	// queue starts, which is when a new release can have changed it.
	DeclarationShapeEvery = 24 * time.Hour
	// declarationShapeSetting is the installation setting that keeps the fingerprint.
	declarationShapeSetting = "ios_ddm_set_shape"
)

// DeclarationShapeJob compares the fingerprint of the declaration sets with the stored one.
type DeclarationShapeJob struct{}

// Kind names the job's worker.
func (DeclarationShapeJob) Kind() string { return "ios_ddm_set_shape" }

// CheckDeclarationShape is the worker of DeclarationShapeJob: when the code builds sets
// of another shape than the stored fingerprint says, it stores the new fingerprint and
// queues the application of every work policy a declaratively managed device follows, in
// one transaction. Storing it is a conditional write, so of several replicas that start at
// once one alone queues them, and a second run queues nothing. A new installation has no
// declarative devices, so it stores the fingerprint and queues nothing.
func (p *Platform) CheckDeclarationShape(ctx context.Context, _ DeclarationShapeJob) error {
	shape, err := ddm.Shape()
	if err != nil {
		return err
	}
	var refs []ddm.PolicyRef
	err = p.store.Tables().Atomic(ctx, func(tx *store.Tx) error {
		changed, err := tx.Tenants().ChangeInstallationSetting(ctx, declarationShapeSetting, []byte(shape))
		if err != nil || !changed {
			return err
		}
		if refs, err = ddm.FollowedPolicies(ctx, tx.DB(ctx)); err != nil {
			return err
		}
		for _, ref := range refs {
			wp, err := tx.Policies().WorkPolicy(ctx, ref.TenantID, ref.PolicyID)
			if err != nil {
				return fmt.Errorf("work policy %s: %w", ref.PolicyID, err)
			}
			if err := mdm.EnqueuePolicy(ctx, tx, ref.TenantID, wp); err != nil {
				return fmt.Errorf("apply policy %q again: %w", wp.Name, err)
			}
		}
		return nil
	})
	if err == nil && len(refs) > 0 {
		p.log.InfoContext(ctx, "the declaration sets changed with this release; applying the policies of declarative phones again", "policies", len(refs))
	}
	return err
}
