package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
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
			var reports []mdm.ChainReport
			if name, _ := cmd.Flags().GetString("tenant"); name != "" {
				t, err := tenantFlag(ctx, cmd, in)
				if err != nil {
					return err
				}
				r, err := in.svc.VerifyTenantAudit(ctx, t)
				if err != nil {
					return err
				}
				reports = []mdm.ChainReport{r}
			} else if reports, err = in.svc.VerifyAudit(ctx); err != nil {
				return err
			}
			intact := true
			out := make([]map[string]any, len(reports))
			for i, r := range reports {
				intact = intact && r.Break == nil
				out[i] = map[string]any{"tenant": r.Tenant.Name, "events": r.Events, "checkpoints": r.Checkpoints, "ok": r.Break == nil}
				if n := len(r.Pruned); n > 0 {
					out[i]["pruned_up_to"] = r.Pruned[n-1].UpToSeq
					out[i]["pruned_at"] = r.Pruned[n-1].PrunedAt
				}
				if r.Break != nil {
					out[i]["first_break"] = map[string]any{"seq": r.Break.Seq, "problem": r.Break.Problem}
				}
			}
			if in.cfg.JSON {
				if err := printJSON(cmd.OutOrStdout(), map[string]any{"ok": intact, "tenants": out}); err != nil {
					return err
				}
			} else {
				for _, r := range reports {
					if r.Break == nil {
						fmt.Fprintf(cmd.OutOrStdout(), "%s: intact, %d events%s%s\n", r.Tenant.Name, r.Events, checkpointsNote(r.Checkpoints), prunedNote(r.Pruned))
					} else {
						fmt.Fprintf(cmd.OutOrStdout(), "%s: BROKEN at event %d: %s (%d events before it verified)\n",
							r.Tenant.Name, r.Break.Seq, r.Break.Problem, r.Events)
					}
				}
			}
			if !intact {
				return errAuditBroken
			}
			return nil
		}),
	}
	verify.Flags().String("tenant", "", "verify only this tenant")
	return group("audit", "Verify and export the audit trail", verify, newAuditExportCmd())
}

// checkpointsNote says how many signed checkpoints matched, if there are any.
func checkpointsNote(n int64) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ", 1 signed checkpoint"
	}
	return fmt.Sprintf(", %d signed checkpoints", n)
}

// prunedNote says where a pruned trail starts.
func prunedNote(ps []mdm.AuditPrune) string {
	if len(ps) == 0 {
		return ""
	}
	p := ps[len(ps)-1]
	return fmt.Sprintf(" (events up to %d were removed after their retention period on %s; the trail starts at a signed checkpoint)",
		p.UpToSeq, p.PrunedAt.UTC().Format("2006-01-02"))
}
