package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/android"
	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ui/output"
)

func newAndroidCertificatesCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "certificates",
		Short: "Give the tenant's Android work profiles device certificates",
		Long: `Enable device certificates for the tenant's Android work profiles, or change their
settings. The companion app is force-installed in every work profile with the
CERT_INSTALL scope; its managed configuration holds the SCEP URL, the URL where it asks
this server for a one-time challenge, and a secret of the work policy. The app names its
work profile by the enrolment-specific ID Android reports (Android 12 and later) and
gets a certificate bound to that device. Every AMAPI policy of the tenant is sent again.

--key-for names the work apps (mail, VPN, browser) that may use the key without asking
the employee (choosePrivateKeyRules).`,
		Example: `  trennwand android certificates --tenant musterstadt --key-for com.example.mail,com.example.vpn`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			var s android.CertificateSettings
			s.CompanionPackage, _ = cmd.Flags().GetString("companion")
			s.KeyAlias, _ = cmd.Flags().GetString("key-alias")
			s.KeyApps, _ = cmd.Flags().GetStringSlice("key-for")
			p, err := in.Android(ctx, inst.Platforms{})
			if err != nil {
				return err
			}
			if err := p.EnableCertificates(ctx, cliActor(), t, s); err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"tenant": t.Name, "certificates": "enabled"})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "device certificates enabled for tenant %s; its Android policies were sent again\n", t.Name)
			return err
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	c.Flags().String("companion", android.DefaultCompanionPackage, "package name of the companion app")
	c.Flags().String("key-alias", android.DefaultKeyAlias, "alias the companion app installs the key under")
	c.Flags().StringSlice("key-for", nil, "work apps that may use the key (choosePrivateKeyRules), comma-separated")
	addAMAPIFlags(c)
	return c
}
