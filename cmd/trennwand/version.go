package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/buildinfo"
	"github.com/trennwand/trennwand/ui/output"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version of this program",
		Long: `Print which trennwand this is: its version, the commit it was built from, when it
was built and with which Go. The server says the same in its start log line, in
/healthz and in the trennwand_build_info metric.`,
		Example: `  trennwand version
  trennwand version --json    # {"version": …, "commit": …, "date": …, "go_version": …}`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := buildinfo.Read()
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return output.JSON(cmd.OutOrStdout(), info)
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), info)
			return err
		},
	}
}
