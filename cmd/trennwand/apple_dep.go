package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/output"
)

// withTenantDEP runs fn with the installation's Automated Device Enrollment and the tenant
// that --tenant names.
func withTenantDEP(fn func(ctx context.Context, cmd *cobra.Command, in *installation, abm *dep.Service, t mdm.Tenant) error) func(*cobra.Command, []string) error {
	return withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
		t, err := tenantFlag(ctx, cmd, in)
		if err != nil {
			return err
		}
		p, _, _, err := in.Apple(inst.Platforms{})
		if err != nil {
			return err
		}
		abm, err := in.AppleBusinessManager(ctx, p)
		if err != nil {
			return err
		}
		return fn(ctx, cmd, in, abm, t)
	})
}

func newDEPCmd() *cobra.Command {
	cert := &cobra.Command{
		Use:   "cert",
		Short: "Print the certificate to upload to Apple Business Manager for this MDM server",
		Long: `Print (PEM) the certificate of the key pair this server keeps for the tenant's
Automated Device Enrollment. Upload it in Apple Business Manager (Preferences → your
MDM server → Upload Public Key), then download the server token there and upload it
with trennwand apple dep-token upload. The key never leaves the server; it is stored
encrypted with the master key, and the same certificate is printed every time.`,
		Example: `  trennwand apple dep-token cert --tenant musterstadt > trennwand-abm.pem`,
		Args:    exactArgs(),
		RunE: withTenantDEP(func(ctx context.Context, cmd *cobra.Command, _ *installation, abm *dep.Service, t mdm.Tenant) error {
			pem, err := abm.Certificate(ctx, t.ID)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(pem)
			return err
		}),
	}
	cert.Flags().String("tenant", "", "tenant name (required)")

	upload := &cobra.Command{
		Use:   "upload",
		Short: "Upload the tenant's server token (.p7m) from Apple Business Manager",
		Long: `Make the server token that Apple Business Manager handed out for this server's
certificate the tenant's. It is decrypted with the server's key and stored encrypted
with the master key; the devices assigned to the server are then synced (hourly from
then on) and given the tenant's enrolment profile: in their Setup Assistant the
employee enters the code of a company invitation.`,
		Example: `  trennwand apple dep-token upload --tenant musterstadt --file trennwand_Token.p7m`,
		Args:    exactArgs(),
		RunE: withTenantDEP(func(ctx context.Context, cmd *cobra.Command, in *installation, abm *dep.Service, t mdm.Tenant) error {
			file, err := readFlagFile(cmd, "file")
			if err != nil {
				return err
			}
			tok, err := abm.SetToken(ctx, cliActor(), t.ID, file)
			if errors.Is(err, mdm.ErrInvalid) {
				return usageError{err}
			} else if err != nil {
				return err
			}
			return printDEPToken(cmd, in, tok)
		}),
	}
	upload.Flags().String("tenant", "", "tenant name (required)")
	upload.Flags().String("file", "", "the .p7m file (required)")

	devices := &cobra.Command{
		Use:     "devices",
		Short:   "List the devices the tenant assigned to this server in Apple Business Manager",
		Example: `  trennwand apple dep-token devices --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withTenantDEP(func(ctx context.Context, cmd *cobra.Command, in *installation, abm *dep.Service, t mdm.Tenant) error {
			ds, err := abm.Devices(ctx, t.ID)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"devices": ds})
			}
			return writeDEPDevices(cmd.OutOrStdout(), ds)
		}),
	}
	devices.Flags().String("tenant", "", "tenant name (required)")
	return group("dep-token", "Automated Device Enrollment through Apple Business Manager", cert, upload, devices)
}

func printDEPToken(cmd *cobra.Command, in *installation, tok dep.Token) error {
	if in.cfg.JSON {
		return output.JSON(cmd.OutOrStdout(), tok)
	}
	_, err := fmt.Fprintf(cmd.OutOrStdout(), "server token set, expires %s; the devices are synced in the background\n",
		tok.ExpiresAt.Format(time.DateOnly))
	return err
}

func writeDEPDevices(w io.Writer, ds []dep.Device) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIAL\tMODEL\tDESCRIPTION\tPROFILE")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.SerialNumber, d.Model, d.Description, d.ProfileStatus)
	}
	return tw.Flush()
}
