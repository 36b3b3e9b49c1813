package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/output"
)

func newTenantCmd() *cobra.Command {
	create := &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a tenant (an organisation, for example a municipality)",
		Long:    "Create a tenant. NAME is its short name: lower-case letters, digits and inner hyphens.",
		Example: `  trennwand tenant create musterstadt --display-name "Stadt Musterstadt"`,
		Args:    exactArgs("NAME"),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error {
			display, _ := cmd.Flags().GetString("display-name")
			t, err := in.svc.CreateTenant(ctx, cliActor(), args[0], display)
			if errors.Is(err, mdm.ErrConflict) {
				return fmt.Errorf("a tenant named %q exists already", args[0])
			}
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), output.Tenant(t))
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "created tenant %s (%s)\n", t.Name, t.DisplayName)
			return err
		}),
	}
	create.Flags().String("display-name", "", "name shown to people (default: NAME)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the tenants",
		Args:  exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			ts, err := in.svc.Tenants(ctx)
			if err != nil {
				return err
			}
			return output.Tenants(cmd.OutOrStdout(), in.cfg.JSON, ts)
		}),
	}
	return group("tenant", "Create and list tenants", create, list, newTenantContactsCmd())
}

// tenantFlag resolves the --tenant flag, with a message that helps when it is wrong.
func tenantFlag(ctx context.Context, cmd *cobra.Command, in *installation) (mdm.Tenant, error) {
	name, _ := cmd.Flags().GetString("tenant")
	if name == "" {
		return mdm.Tenant{}, usagef("--tenant is required (trennwand tenant list shows the tenants)")
	}
	t, err := in.svc.Tenant(ctx, name)
	if errors.Is(err, mdm.ErrNotFound) {
		return mdm.Tenant{}, fmt.Errorf("no tenant named %q (trennwand tenant list shows the tenants)", name)
	}
	return t, err
}
