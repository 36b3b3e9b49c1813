package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/ui/output"
)

func newTenantContactsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "contacts",
		Short: "Set who runs the service and whom employees ask about data protection",
		Long: `Set the two facts the employee portal shows with the privacy notice before any
step: who runs the service (for example the regional IT service provider) and the
data-protection contact (the data-protection officer's name and address).`,
		Example: `  trennwand tenant contacts --tenant musterstadt --operator "KommunalIT Nord" --privacy-contact "Datenschutz Musterstadt, datenschutz@musterstadt.de"`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			operator, _ := cmd.Flags().GetString("operator")
			contact, _ := cmd.Flags().GetString("privacy-contact")
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			if t, err = in.svc.Enrolment.SetTenantContacts(ctx, cliActor(), t, operator, contact); err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]string{"tenant": t.Name, "operator": t.OperatorName, "privacy_contact": t.PrivacyContact})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: operator %q, data-protection contact %q\n", t.Name, t.OperatorName, t.PrivacyContact)
			return nil
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("operator", "", "who runs the service (default: the tenant itself)")
	f.String("privacy-contact", "", "whom employees ask about data protection (required)")
	return c
}
