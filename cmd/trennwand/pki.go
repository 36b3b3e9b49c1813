package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/pki"
	"github.com/trennwand/trennwand/ui/output"
)

func newPKICmd() *cobra.Command {
	challenge := &cobra.Command{
		Use:   "challenge",
		Short: "Make a one-time SCEP challenge for one enrolment (manual enrolment, tests)",
		Long: `Make a one-time SCEP challenge. A device that presents it at the SCEP URL gets one
certificate for the enrolment the challenge is bound to: the device given with
--device, or a new enrolment identifier. The challenge expires after an hour and
works once; the server keeps only its hash.`,
		Example: `  trennwand pki challenge --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			device, _ := cmd.Flags().GetString("device")
			ch, enrolment, err := in.SCEPChallenge(ctx, cliActor(), t, device)
			if err != nil {
				return err
			}
			ca, err := in.CA(ctx)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"challenge": ch.Secret, "scep_url": ca.SCEPURL(),
					"enrolment_id": enrolment, "expires_at": ch.ExpiresAt})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "challenge:  %s\nSCEP URL:   %s\nenrolment:  %s\nexpires:    %s\n",
				ch.Secret, ca.SCEPURL(), enrolment, ch.ExpiresAt.Local().Format(time.DateTime))
			return err
		}),
	}
	challenge.Flags().String("tenant", "", "tenant name (required)")
	challenge.Flags().String("device", "", "bind the challenge to this device of the tenant (default: a new enrolment)")

	revoke := &cobra.Command{
		Use:   "revoke SERIAL",
		Short: "Revoke a certificate by its serial number",
		Long: `Revoke a certificate the CA issued. SERIAL is decimal or hex (with or without
colons, as openssl prints it). The CRL at /pki/crl is regenerated at once.`,
		Example: `  trennwand pki revoke 51:0e:3c:9a:…  --reason "phone lost"`,
		Args:    exactArgs("SERIAL"),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error {
			serial, err := pki.ParseSerial(args[0])
			if err != nil {
				return usageError{err}
			}
			reason, _ := cmd.Flags().GetString("reason")
			info, err := in.RevokeCertificate(ctx, cliActor(), serial, reason)
			if err != nil {
				return fmt.Errorf("certificate %s: %w", args[0], err)
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"serial": serial, "revoked": true})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "revoked certificate %s (%s)\n", serial, info.Subject)
			return err
		}),
	}
	revoke.Flags().String("reason", "", "why, for the audit trail")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List the certificates the CA issued",
		Example: `  trennwand pki list --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			tenantID := ""
			if name, _ := cmd.Flags().GetString("tenant"); name != "" {
				t, err := tenantFlag(ctx, cmd, in)
				if err != nil {
					return err
				}
				tenantID = t.ID
			}
			device, _ := cmd.Flags().GetString("device")
			if device != "" && tenantID == "" {
				return usagef("--device needs --tenant")
			}
			ca, err := in.CA(ctx)
			if err != nil {
				return err
			}
			certs, err := ca.Certificates(ctx, tenantID, device)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"certificates": certs})
			}
			rows := make([][]string, len(certs))
			for i, c := range certs {
				state := "valid"
				if c.Revoked {
					state = "revoked"
				}
				rows[i] = []string{c.Serial, c.Subject, c.NotAfter.Local().Format(time.DateOnly), state}
			}
			return output.Table(cmd.OutOrStdout(), []string{"SERIAL", "SUBJECT", "VALID UNTIL", "STATE"}, rows)
		}),
	}
	list.Flags().String("tenant", "", "only this tenant's certificates")
	list.Flags().String("device", "", "only this device's certificates (with --tenant)")

	return group("pki", "The installation's CA: SCEP challenges, certificates, revocation", challenge, revoke, list)
}
