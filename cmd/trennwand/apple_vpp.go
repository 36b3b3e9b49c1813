package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/licences"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/output"
)

// withTenantApple runs fn with the installation's Apple component, its licensing of work
// apps and the tenant that --tenant names.
func withTenantApple(fn func(ctx context.Context, cmd *cobra.Command, in *installation, p *ios.Platform, lic *licences.Service, t mdm.Tenant) error) func(*cobra.Command, []string) error {
	return withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
		t, err := tenantFlag(ctx, cmd, in)
		if err != nil {
			return err
		}
		p, _, lic, err := in.Apple(inst.Platforms{})
		if err != nil {
			return err
		}
		return fn(ctx, cmd, in, p, lic, t)
	})
}

func newVPPTokenCmd() *cobra.Command {
	upload := &cobra.Command{
		Use:   "upload",
		Short: "Upload the tenant's Apps and Books content token from Apple Business Manager",
		Long: `Make a content token (.vpptoken) from Apple Business Manager (Preferences →
Payments and Billing → Content Tokens) the tenant's. Work apps on iPhones enrolled
with User Enrolment are installed only with a licence from it: each employee whose
work policy requires an app gets a licence of it on their managed Apple account.
The token is stored encrypted with the master key; the catalogue of apps is then
read from Apple. Download and upload a new one before it expires (after a year).`,
		Example: `  trennwand apple vpp-token upload --tenant musterstadt --file Musterstadt.vpptoken`,
		Args:    exactArgs(),
		RunE: withTenantApple(func(ctx context.Context, cmd *cobra.Command, in *installation, _ *ios.Platform, lic *licences.Service, t mdm.Tenant) error {
			file, err := readFlagFile(cmd, "file")
			if err != nil {
				return err
			}
			tok, err := lic.SetLicenceToken(ctx, cliActor(), t.ID, file)
			if errors.Is(err, mdm.ErrInvalid) {
				return usageError{err}
			} else if err != nil {
				return err
			}
			return printLicenceToken(cmd, in, tok)
		}),
	}
	upload.Flags().String("tenant", "", "tenant name (required)")
	upload.Flags().String("file", "", "the .vpptoken file (required)")

	show := &cobra.Command{
		Use:     "show",
		Short:   "Show the tenant's Apps and Books token: organisation, expiry, problems",
		Example: `  trennwand apple vpp-token show --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withTenantApple(func(ctx context.Context, cmd *cobra.Command, in *installation, _ *ios.Platform, lic *licences.Service, t mdm.Tenant) error {
			tok, err := lic.LicenceToken(ctx, t.ID)
			if errors.Is(err, mdm.ErrNotFound) {
				return fmt.Errorf("tenant %s has no Apps and Books token yet: upload it with trennwand apple vpp-token upload", t.Name)
			} else if err != nil {
				return err
			}
			return printLicenceToken(cmd, in, tok)
		}),
	}
	show.Flags().String("tenant", "", "tenant name (required)")
	return group("vpp-token", "The tenant's Apple Apps and Books content token (app licences)", upload, show)
}

func printLicenceToken(cmd *cobra.Command, in *installation, tok mdm.LicenceToken) error {
	if in.cfg.JSON {
		return output.JSON(cmd.OutOrStdout(), tok)
	}
	return licences.WriteTokenText(cmd.OutOrStdout(), tok)
}

func newVPPAssetsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "vpp-assets",
		Short: "List the tenant's Apps and Books catalogue: apps with their licences",
		Long: `List the apps the tenant holds Apps and Books licences for, as last read from
Apple (hourly, and after each token upload): bundle ID, name, licences in total and
free, and how many employees hold one, wait for one, or could not get one.`,
		Example: `  trennwand apple vpp-assets --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withTenantApple(func(ctx context.Context, cmd *cobra.Command, in *installation, _ *ios.Platform, lic *licences.Service, t mdm.Tenant) error {
			apps, err := lic.LicensedApps(ctx, t.ID)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"apps": apps})
			}
			return licences.WriteAppsTable(cmd.OutOrStdout(), apps)
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	return c
}
