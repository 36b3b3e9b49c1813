package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/output"
)

func newDeviceMoveCmd() *cobra.Command {
	move := &cobra.Command{
		Use:   "move DEVICE",
		Short: "Move a device to another work policy",
		Long: `Move one device to another work policy of its tenant. The phone's work container
follows the new policy: apps the new policy lacks are removed from the work container,
the ones it adds are installed, with their managed configuration. The policy is named
by its ID or its name.`,
		Example: `  trennwand device move --tenant musterstadt 3jq4… --policy "Außendienst"`,
		Args:    exactArgs("DEVICE"),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			name, _ := cmd.Flags().GetString("policy")
			p, err := in.WorkPolicyNamed(ctx, t, name)
			if err != nil {
				return err
			}
			d, err := in.svc.WorkPolicy.AssignWorkPolicy(ctx, cliActor(), t, args[0], p.ID)
			if errors.Is(err, mdm.ErrNotFound) {
				return fmt.Errorf("tenant %s has no device %q (trennwand device list shows them)", t.Name, args[0])
			} else if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"id": d.ID, "work_policy_id": p.ID, "work_policy": p.Name})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "device %s has work policy %q; its work apps follow it\n", d.ID, p.Name)
			return err
		}),
	}
	move.Flags().String("tenant", "", "tenant name (required)")
	move.Flags().String("policy", "", "the work policy's ID or name (required)")
	return move
}
