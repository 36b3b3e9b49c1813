// Command trennwand is the on-premises MDM server for employees' own phones and the tool
// to run it: `trennwand serve` starts the server; the other sub-commands manage tenants,
// administrators, invitations, devices and the audit trail from a shell or a script.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/buildinfo"
	"github.com/trennwand/trennwand/mdm"
)

// Exit codes: 0 done, 1 failed, 2 the invocation or configuration was wrong.
const (
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process's exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "trennwand:", err)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, mdm.ErrInvalid) || strings.HasPrefix(err.Error(), "unknown command") {
		return exitUsage
	}
	return exitFailed
}

// usageError marks a wrong invocation or configuration: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "trennwand",
		Short: "On-premises MDM for employees' own phones: a work container, nothing more",
		Long: `trennwand manages the work container on employees' own phones: an Android work
profile or an Apple User Enrolment. It issues device certificates from its own CA,
pushes the configuration of work apps and keeps a tamper-evident audit trail.
Private apps, photos, messages and locations stay out of its reach.

Start the server with "trennwand serve". On an empty data directory it creates the
database, the tenant "default" and a first administrator, and prints how to sign in.

Settings come from flags, TRENNWAND_* environment variables (TRENNWAND_DB for --db)
and an optional config file (--config, YAML, TOML or JSON); flags win.`,
		Version:       buildinfo.Read().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	addGlobalFlags(root)
	root.AddCommand(
		newServeCmd(),
		newTenantCmd(),
		newAdminCmd(),
		newTokenCmd(),
		newInviteCmd(),
		newDeviceCmd(),
		newAuditCmd(),
		newSIEMCmd(),
		newReportCmd(),
		newDataProtectionCmd(),
		newDirectoryCmd(),
		newSSOCmd(),
		newPKICmd(),
		newAppleCmd(),
		newBackupCmd(),
		newRestoreCmd(),
		newAndroidCmd(),
		newHealthcheckCmd(),
		newSimCmd(),
		newVersionCmd(),
	)
	return root
}

// exactArgs accepts exactly the named positional arguments and makes anything else a
// usage error that names what is missing.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("%s takes %d argument(s) (%s), got %d (see %s --help)",
				c.CommandPath(), len(names), strings.Join(names, " "), len(args), c.CommandPath())
		}
		return nil
	}
}

// group returns a command that only holds sub-commands; called alone it shows its help,
// and with an unknown sub-command it is a usage error.
func group(use, short string, children ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %s (see %s --help)", args[0], c.CommandPath(), c.CommandPath())
			}
			return c.Help()
		},
	}
	c.AddCommand(children...)
	return c
}
