package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/output"
)

func newDeviceCmd() *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List a tenant's devices with platform, state and compliance",
		Example: `  trennwand device list --tenant musterstadt
  trennwand device list --tenant musterstadt --platform ios --state active --json`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			var f mdm.DeviceFilter
			if p, _ := cmd.Flags().GetString("platform"); p != "" {
				platform, err := mdm.ParsePlatform(p)
				if err != nil {
					return err
				}
				f.Platform = platform
			}
			if s, _ := cmd.Flags().GetString("state"); s != "" {
				state, err := mdm.ParseDeviceState(s)
				if err != nil {
					return err
				}
				f.State = state
			}
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			devices, err := in.svc.Devices(ctx, t, f)
			if err != nil {
				return err
			}
			return output.Devices(cmd.OutOrStdout(), in.cfg.JSON, t, devices)
		}),
	}
	f := list.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("platform", "", "only ios or android devices")
	f.String("state", "", "only devices in this state: invited, enrolling, active, removing, removed")

	remove := endingCmd(&cobra.Command{
		Use:   "remove DEVICE",
		Short: "Remove a device's work container and revoke its certificates",
		Long: `Remove the work container of one device: the device is ordered to delete the work
apps and data (never anything private), and its certificates are revoked at once,
so that mail, VPN and Wi-Fi that trust the CA stop accepting it. Repeating the
command on a device that is being removed retries the revocation.`,
		Example: `  trennwand device remove --tenant musterstadt 3jq4… --reason "left the office"`,
	}, func(ctx context.Context, in *installation, t mdm.Tenant, id, reason string) error {
		return in.svc.RemoveDevice(ctx, cliActor(), t, id, reason)
	})
	wipe := endingCmd(&cobra.Command{
		Use:   "wipe DEVICE",
		Short: "Erase a company-owned phone as a whole and revoke its certificates",
		Long: `Erase one company-owned phone (invited with --ownership company) as a whole, when it
is lost or handed back: the phone is reset to factory settings, the employee's private
data on it included, its enrolment ends and its certificates are revoked at once. A
reason is required and recorded. An employee's own phone is never erased: the command
is refused and nothing changes (remove its work container instead).`,
		Example: `  trennwand device wipe --tenant musterstadt 3jq4… --reason "lost on the bus, not found again"`,
	}, func(ctx context.Context, in *installation, t mdm.Tenant, id, reason string) error {
		return in.svc.WipeDevice(ctx, cliActor(), t, id, reason)
	})
	lock := deviceActionCmd(&cobra.Command{
		Use:   "lock DEVICE",
		Short: "Lock a company-owned phone as a whole",
		Long: `Lock one company-owned phone (invited with --ownership company) as a whole, for
example when it is lost: the phone is ordered to lock its screen, which its usual
screen lock opens again; nothing on it is erased, and its enrolment goes on. A reason
is required and recorded. An employee's own phone is never locked as a whole: the
command is refused and nothing changes (remove its work container instead).`,
		Example: `  trennwand device lock --tenant musterstadt 3jq4… --reason "left in the train, reported by phone"`,
	}, func(ctx context.Context, in *installation, t mdm.Tenant, id, reason string) (actionDone, error) {
		c, err := in.svc.CommandDevice(ctx, cliActor(), t, id, mdm.CommandLockDevice, reason)
		return actionDone{Command: c.ID, Said: "the command to lock the phone is queued"}, err
	})
	return group("device", "Look at, move, remove, lock and wipe enrolled devices", list, newDeviceMoveCmd(), remove, wipe, lock)
}

// actionDone is what a command on one device did, beside the device's state it prints.
type actionDone struct {
	// Command is the ID of the command queued for the device; empty when none was.
	Command string
	// Said says what was done, after the device's state.
	Said string
}

// endingCmd completes a command that ends one device's enrolment with a reason (remove,
// wipe): end does it; the command then prints the device's state.
func endingCmd(cmd *cobra.Command, end func(ctx context.Context, in *installation, t mdm.Tenant, id, reason string) error) *cobra.Command {
	return deviceActionCmd(cmd, func(ctx context.Context, in *installation, t mdm.Tenant, id, reason string) (actionDone, error) {
		return actionDone{Said: "its certificates are revoked"}, end(ctx, in, t, id, reason)
	})
}

// deviceActionCmd completes a command that acts on one device with a reason (remove,
// wipe, lock): act does it; the command then prints the device's state and what act did.
func deviceActionCmd(cmd *cobra.Command, act func(ctx context.Context, in *installation, t mdm.Tenant, id, reason string) (actionDone, error)) *cobra.Command {
	cmd.Args = exactArgs("DEVICE")
	cmd.RunE = withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error {
		t, err := tenantFlag(ctx, cmd, in)
		if err != nil {
			return err
		}
		reason, _ := cmd.Flags().GetString("reason")
		done, err := act(ctx, in, t, args[0], reason)
		if err != nil {
			if errors.Is(err, mdm.ErrNotFound) {
				return fmt.Errorf("tenant %s has no device %q (trennwand device list shows them)", t.Name, args[0])
			}
			return err
		}
		d, err := in.store.Devices().Device(ctx, t.ID, args[0])
		if err != nil {
			return err
		}
		if in.cfg.JSON {
			out := map[string]any{"id": d.ID, "state": d.State}
			if done.Command != "" {
				out["command"] = done.Command
			}
			return output.JSON(cmd.OutOrStdout(), out)
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "device %s is %s; %s\n", d.ID, d.State, done.Said)
		return err
	})
	cmd.Flags().String("tenant", "", "tenant name (required)")
	cmd.Flags().String("reason", "", "why, for the audit trail")
	return cmd
}
