package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/ui/dpo"
	"github.com/trennwand/trennwand/ui/output"
)

// errAuditBroken makes `audit verify` exit with 1 when a trail is broken.
var errAuditBroken = errors.New("the audit trail is not intact")

func newAuditCmd() *cobra.Command {
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check that no audit event was changed, removed, inserted or reordered",
		Long: `Walk every tenant's audit trail (or one with --tenant) along its hash chain and
report the first event that was changed, is missing, was inserted or is out of
order. Every signed checkpoint is checked too: its signature by the CA, and the
hash it vouches for, so that a trail rewritten with every hash recomputed is
caught at the first checkpoint after the change. Exit code 0 when every trail is
intact, 1 when one is not.`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			svc, _, err := in.AuditService(ctx, false)
			if err != nil {
				return err
			}
			in.svc = svc
			var reports []trail.ChainReport
			if name, _ := cmd.Flags().GetString("tenant"); name != "" {
				t, err := tenantFlag(ctx, cmd, in)
				if err != nil {
					return err
				}
				r, err := in.svc.Trail.VerifyTenantAudit(ctx, t)
				if err != nil {
					return err
				}
				reports = []trail.ChainReport{r}
			} else if reports, err = in.svc.Trail.VerifyAudit(ctx); err != nil {
				return err
			}
			res := dpo.Verification(reports)
			if in.cfg.JSON {
				if err := output.JSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else if err := dpo.VerificationText(cmd.OutOrStdout(), reports); err != nil {
				return err
			}
			if !res.OK {
				return errAuditBroken
			}
			return nil
		}),
	}
	verify.Flags().String("tenant", "", "verify only this tenant")
	return group("audit", "Verify and export the audit trail", verify, newAuditExportCmd())
}
