package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/ui/output"
)

func newTokenCmd() *cobra.Command {
	create := &cobra.Command{
		Use:   "create",
		Short: "Make an API token for automation and print it once",
		Long: `Make an API token for the JSON API (/api/v1) with one role in one tenant. The
token is printed once; only its hash is kept. Send it as "Authorization: Bearer
twk_…". Roles: admin, helpdesk, dpo; gateway, for a mail gateway or VPN that
asks only whether a device certificate belongs to a compliant device; or provider,
without --tenant, for the provider-level super-admin who creates tenants.`,
		Example: `  trennwand token create --tenant musterstadt --role helpdesk --name inventory --json
  trennwand token create --tenant musterstadt --role gateway --name mail-gateway
  trennwand token create --role provider --name tenant-provisioning`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			roleName, _ := cmd.Flags().GetString("role")
			role, err := mdm.ParseTokenRole(roleName)
			if err != nil {
				return err
			}
			name, _ := cmd.Flags().GetString("name")
			days, _ := cmd.Flags().GetInt("valid-days")
			var tenant *mdm.Tenant
			if tn, _ := cmd.Flags().GetString("tenant"); tn != "" || role != mdm.RoleProvider {
				if role == mdm.RoleProvider {
					return usagef("a provider token belongs to no tenant: leave out --tenant")
				}
				t, err := tenantFlag(ctx, cmd, in)
				if err != nil {
					return err
				}
				tenant = &t
			}
			tok, secret, err := in.svc.Access.CreateToken(ctx, cliActor(), tenant, access.TokenRequest{
				Name: name, Role: role, Validity: time.Duration(days) * 24 * time.Hour})
			if err != nil {
				return err
			}
			tenantName := ""
			if tenant != nil {
				tenantName = tenant.Name
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"token": secret, "id": tok.ID, "tenant": tenantName,
					"role": tok.Role, "expires_at": tok.ExpiresAt})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "token %s (%s, valid until %s):\n  %s\nIt is shown only now.\n",
				tok.ID, tok.Role, tok.ExpiresAt.Local().Format(time.DateOnly), secret)
			return err
		}),
	}
	f := create.Flags()
	f.String("tenant", "", "tenant name (required unless --role provider)")
	f.String("role", "", "admin, helpdesk, dpo, gateway, scim or provider (required)")
	f.String("name", "", "what the token is for, shown in listings")
	f.Int("valid-days", 365, "days until the token expires (1 to 1825)")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List a tenant's API tokens with their last use",
		Example: `  trennwand token list --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			toks, err := in.svc.Access.Tokens(ctx, t)
			if err != nil {
				return err
			}
			return output.Tokens(cmd.OutOrStdout(), in.cfg.JSON, t, toks)
		}),
	}
	list.Flags().String("tenant", "", "tenant name (required)")

	revoke := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Revoke one of a tenant's API tokens",
		Example: `  trennwand token revoke --tenant musterstadt 3x7…`,
		Args:    exactArgs("ID"),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			if err := in.svc.Access.RevokeToken(ctx, cliActor(), t, args[0]); err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"id": args[0], "revoked": true})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "revoked token %s\n", args[0])
			return err
		}),
	}
	revoke.Flags().String("tenant", "", "tenant name (required)")
	return group("token", "Manage API tokens", create, list, revoke)
}
