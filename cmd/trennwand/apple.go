package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/ui/output"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
)

func newAppleCmd() *cobra.Command {
	upload := &cobra.Command{
		Use:   "upload",
		Short: "Upload the tenant's MDM push certificate from Apple",
		Long: `Make a certificate from Apple's push certificates portal the tenant's MDM push
certificate. iPhones are woken through it when commands wait for them, and enrolment
profiles name its topic. --cert is the certificate as PEM (convert Apple's .cer with
openssl x509 -inform der -in MDM_Certificate.cer -out push.pem), --key the private key
of the request it was made from. The key is stored encrypted with the master key.

Renew it with the same Apple ID before it expires: a renewed certificate keeps its
topic and enrolled iPhones stay enrolled. After expiry every iPhone has to enrol again.`,
		Example: `  trennwand apple push-cert upload --tenant musterstadt --cert push.pem --key push.key`,
		Args:    exactArgs(),
		RunE: withTenantApple(func(ctx context.Context, cmd *cobra.Command, in *installation, p *ios.Platform, _ *licences.Service, t mdm.Tenant) error {
			certPEM, err := readFlagFile(cmd, "cert")
			if err != nil {
				return err
			}
			keyPEM, err := readFlagFile(cmd, "key")
			if err != nil {
				return err
			}
			pc, err := p.SetPushCertificate(ctx, cliActor(), t.ID, certPEM, keyPEM)
			if errors.Is(err, mdm.ErrInvalid) {
				return usageError{err}
			} else if err != nil {
				return err
			}
			return printPushCert(cmd, in, pc)
		}),
	}
	upload.Flags().String("tenant", "", "tenant name (required)")
	upload.Flags().String("cert", "", "PEM file of the push certificate (required)")
	upload.Flags().String("key", "", "PEM file of its private key (required)")

	show := &cobra.Command{
		Use:     "show",
		Short:   "Show the tenant's MDM push certificate: topic and expiry",
		Example: `  trennwand apple push-cert show --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withTenantApple(func(ctx context.Context, cmd *cobra.Command, in *installation, p *ios.Platform, _ *licences.Service, t mdm.Tenant) error {
			pc, err := p.PushCertificate(ctx, t.ID)
			if errors.Is(err, mdm.ErrNotFound) {
				return fmt.Errorf("tenant %s has no push certificate yet: upload it with trennwand apple push-cert upload", t.Name)
			} else if err != nil {
				return err
			}
			return printPushCert(cmd, in, pc)
		}),
	}
	show.Flags().String("tenant", "", "tenant name (required)")

	return group("apple", "Apple: the MDM push certificate, the Apps and Books app licences and Automated Device Enrollment",
		group("push-cert", "The tenant's MDM push certificate (APNs)", upload, show), newVPPTokenCmd(), newVPPAssetsCmd(), newDEPCmd())
}

func printPushCert(cmd *cobra.Command, in *installation, pc ios.PushCertificate) error {
	if in.cfg.JSON {
		return output.JSON(cmd.OutOrStdout(), pc)
	}
	return pc.WriteText(cmd.OutOrStdout())
}

// readFlagFile reads the file named by a required flag.
func readFlagFile(cmd *cobra.Command, flag string) ([]byte, error) {
	path, _ := cmd.Flags().GetString(flag)
	if path == "" {
		return nil, usageError{fmt.Errorf("--%s is required", flag)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("--%s: %w", flag, err)}
	}
	return b, nil
}
