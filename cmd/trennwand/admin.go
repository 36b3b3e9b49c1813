package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/output"
)

func newAdminCmd() *cobra.Command {
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an administrator and print their one-time password and second factor",
		Long: `Create an administrator of a tenant. The one-time password and the secret of the
second factor (TOTP) are printed once and never stored readably; hand them over
in a safe way. Roles: admin (everything in the tenant), helpdesk (devices,
invitations, work passcode reset), dpo (audit trail and exports, read only).`,
		Example: `  trennwand admin create --tenant musterstadt --email it@musterstadt.de --role admin`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			roleName, _ := cmd.Flags().GetString("role")
			role, err := mdm.ParseRole(roleName)
			if err != nil {
				return err
			}
			email, _ := cmd.Flags().GetString("email")
			if email == "" {
				return usagef("--email is required")
			}
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			a, creds, err := in.svc.Access.CreateAdmin(ctx, cliActor(), t, email, role)
			if errors.Is(err, mdm.ErrConflict) {
				return fmt.Errorf("tenant %s has an administrator %s already", t.Name, email)
			}
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{
					"id": a.ID, "tenant": t.Name, "email": a.Email, "role": a.Role,
					"password": creds.Password, "totp_secret": creds.TOTPSecret, "totp_url": creds.TOTPURL,
				})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), `created %s %s in tenant %s
  one-time password:  %s
  second factor:      %s
  otpauth URL:        %s
These are shown only now.
`, a.Role, a.Email, t.Name, creds.Password, creds.TOTPSecret, creds.TOTPURL)
			return err
		}),
	}
	f := create.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("email", "", "the administrator's e-mail address (required)")
	f.String("role", "admin", "admin, helpdesk or dpo")
	return group("admin", "Manage administrators", create, newAdminResetCmd())
}

func newAdminResetCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "reset-second-factor",
		Short: "Reset the second factor of an administrator who lost it; audited with the reason",
		Long: `Reset an administrator's second factor, as another administrator does in the dashboard:
a new, unconfirmed TOTP secret replaces the old one, their recovery codes and passkeys are
removed and their sessions end, so that at the next sign-in they set up a factor as at the
first. The reason is recorded in the audit trail; with mail set up the administrator is
told by e-mail.`,
		Example: `  trennwand admin reset-second-factor --tenant musterstadt --email it@musterstadt.de --reason "new phone, old one lost"`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			email, _ := cmd.Flags().GetString("email")
			reason, _ := cmd.Flags().GetString("reason")
			if email == "" || reason == "" {
				return usagef("--email and --reason are required")
			}
			a, err := in.svc.Access.AdminByEmail(ctx, t, email)
			if errors.Is(err, mdm.ErrNotFound) {
				return fmt.Errorf("tenant %s has no administrator %s", t.Name, email)
			} else if err != nil {
				return err
			}
			if err := in.svc.Access.ResetSecondFactor(ctx, cliActor(), t, a.ID, reason); err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"id": a.ID, "tenant": t.Name, "email": a.Email, "reset": true})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "reset the second factor of %s in tenant %s; they set up a new one at their next sign-in\n", a.Email, t.Name)
			return err
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("email", "", "the administrator's e-mail address (required)")
	f.String("reason", "", "why, for the audit trail (required)")
	return c
}
