package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/siem"
	"github.com/trennwand/trennwand/ui/output"
)

func newSIEMCmd() *cobra.Command {
	show := &cobra.Command{
		Use:   "show",
		Short: "Show whether a tenant's audit events go to the SIEM, and how far each receiver got",
		Example: `  trennwand siem show --tenant musterstadt
  trennwand siem show --tenant musterstadt --json`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			st, err := in.svc.SIEM.Status(ctx, t, configuredSinks(in)...)
			if err != nil {
				return err
			}
			return output.SIEM(cmd.OutOrStdout(), in.cfg.JSON, st)
		}),
	}
	show.Flags().String("tenant", "", "tenant name (required)")
	return group("siem", "The feed of the tenants' audit events to the central log (syslog, webhook)", show,
		newSIEMSwitchCmd(true), newSIEMSwitchCmd(false))
}

// newSIEMSwitchCmd is `siem enable` or `siem disable`.
func newSIEMSwitchCmd(on bool) *cobra.Command {
	c := &cobra.Command{
		Use:     "disable",
		Short:   "Stop sending a tenant's audit events to the SIEM (the disabling event is the last one sent)",
		Example: `  trennwand siem disable --tenant musterstadt`,
	}
	if on {
		c.Use, c.Short = "enable", "Send a tenant's audit events to the SIEM from now on (the enabling event is the first one sent)"
		c.Long = `Send the tenant's audit events, from the event that records this switch on, to the
receivers the server is configured with (--siem-syslog, --siem-webhook), each event at
least once and in the order of the tenant's trail. The switch is an audit event.`
		c.Example = `  trennwand siem enable --tenant musterstadt`
	}
	c.Args = exactArgs()
	c.RunE = withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
		t, err := tenantFlag(ctx, cmd, in)
		if err != nil {
			return err
		}
		if _, err := in.svc.SIEM.Switch(ctx, cliActor(), t, on); err != nil {
			return err
		}
		st, err := in.svc.SIEM.Status(ctx, t, configuredSinks(in)...)
		if err != nil {
			return err
		}
		return output.SIEM(cmd.OutOrStdout(), in.cfg.JSON, st)
	})
	c.Flags().String("tenant", "", "tenant name (required)")
	return c
}

// configuredSinks names the receivers the configuration gives.
func configuredSinks(in *installation) []string {
	var names []string
	if in.cfg.SIEM.SyslogAddr != "" {
		names = append(names, siem.SinkSyslog)
	}
	if in.cfg.SIEM.WebhookURL != "" {
		names = append(names, siem.SinkWebhook)
	}
	return names
}
