package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui/output"
)

func newTenantContactsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "contacts",
		Short: "Set the employer's name, who runs the service and whom employees ask about data protection",
		Long: `Set the facts the employee portal and the invitation letters show before any
step: the employer's name as employees know it (the tenant's display name), who runs the
service (for example the regional IT service provider) and the data-protection contact
(the data-protection officer's name and address). A flag not given keeps what is set;
every change is audited.`,
		Example: `  trennwand tenant contacts --tenant musterstadt --operator "KommunalIT Nord" --privacy-contact "Datenschutz Musterstadt, datenschutz@musterstadt.de"
  trennwand tenant contacts --tenant default --display-name "Stadt Musterstadt"`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			c := enrolment.Contacts{Employer: flagOr(cmd, "display-name", t.DisplayName), Operator: flagOr(cmd, "operator", t.OperatorName),
				PrivacyContact: flagOr(cmd, "privacy-contact", t.PrivacyContact)}
			if t, err = in.svc.Enrolment.SetTenantContacts(ctx, cliActor(), t, c); err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]string{"tenant": t.Name, "display_name": t.DisplayName,
					"operator": t.OperatorName, "privacy_contact": t.PrivacyContact})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: employer %q, operator %q, data-protection contact %q\n", t.Name, t.DisplayName, t.OperatorName, t.PrivacyContact)
			return nil
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("operator", "", "who runs the service (default: the tenant itself)")
	f.String("privacy-contact", "", "whom employees ask about data protection (must be set once)")
	f.String("display-name", "", "the employer's name as employees know it, shown on the portal and the letters")
	return c
}

// flagOr returns the string flag's value when it was given, else current.
func flagOr(cmd *cobra.Command, name, current string) string {
	if !cmd.Flags().Changed(name) {
		return current
	}
	v, _ := cmd.Flags().GetString(name)
	return v
}
