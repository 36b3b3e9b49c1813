package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	inst "github.com/trennwand/trennwand/installation"
	"github.com/trennwand/trennwand/ui/output"
)

func newAndroidCmd() *cobra.Command {
	bind := &cobra.Command{
		Use:   "bind",
		Short: "Bind a tenant to an existing Android enterprise",
		Long: `Bind the tenant to an Android enterprise that exists already (the sign-up in the
dashboard, or "trennwand android signup", creates a new one). The enterprise's
ENROLLMENT, STATUS_REPORT and COMMAND notifications are sent to the Pub/Sub topic
(default: projects/<project of the credentials>/topics/trennwand-<tenant>).

It prints the push URL with the tenant's secret, shown only now: create a push
subscription on the topic with it as push endpoint. Binding again makes a new
secret, and the old push URL stops working.`,
		Example: `  trennwand android bind --tenant musterstadt --enterprise enterprises/LC0123abcd --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			enterprise, _ := cmd.Flags().GetString("enterprise")
			if enterprise == "" {
				return usagef("--enterprise is required (enterprises/ID, as Google names it)")
			}
			p, err := in.Android(ctx, inst.Platforms{})
			if err != nil {
				return err
			}
			topic, _ := cmd.Flags().GetString("topic")
			if topic == "" {
				if topic, err = p.DefaultTopic(t); err != nil {
					return usageError{fmt.Errorf("%w (give --topic)", err)}
				}
			}
			b, err := p.Bind(ctx, cliActor(), t, enterprise, topic)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]string{"pubsub_push_url": b.PushURL, "enterprise": b.Enterprise, "topic": b.Topic})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "bound tenant %s to %s\nPub/Sub topic:  %s\npush endpoint:  %s\n(shown only now: create a push subscription on the topic with this endpoint)\n",
				t.Name, b.Enterprise, b.Topic, b.PushURL)
			return err
		}),
	}
	bind.Flags().String("tenant", "", "tenant name (required)")
	bind.Flags().String("enterprise", "", "the Android enterprise, enterprises/ID (required)")
	bind.Flags().String("topic", "", "Pub/Sub topic for the notifications, projects/P/topics/T")
	addAMAPIFlags(bind)

	signup := &cobra.Command{
		Use:   "signup",
		Short: "Start the sign-up of a new Android enterprise for a tenant",
		Long: `Print Google's sign-up page for a new Android enterprise. An administrator opens it,
creates the enterprise, and Google returns to this server's /android/signup, which binds
the tenant and shows the push URL for the Pub/Sub subscription.`,
		Example: `  trennwand android signup --tenant musterstadt`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			p, err := in.Android(ctx, inst.Platforms{})
			if err != nil {
				return err
			}
			u, err := p.StartSignup(ctx, cliActor(), t)
			if err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]string{"signup_url": u})
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), u)
			return err
		}),
	}
	signup.Flags().String("tenant", "", "tenant name (required)")
	addAMAPIFlags(signup)

	return group("android", "Android work profiles: the tenant's Android enterprise", bind, signup, newAndroidCertificatesCmd())
}

// addAMAPIFlags adds the settings that say how to reach the Android Management API.
func addAMAPIFlags(c *cobra.Command) {
	c.Flags().String("amapi-endpoint", "", "Android Management API base URL (a partner proxy or a fake); env TRENNWAND_AMAPI_ENDPOINT")
	c.Flags().String("amapi-credentials", "", "service-account JSON file for the Android Management API, kept sealed in the database once read; env TRENNWAND_AMAPI_CREDENTIALS")
}
