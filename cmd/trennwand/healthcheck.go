package main

import (
	"fmt"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/serve"
)

func newHealthcheckCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask a running server whether it is ready (for container health checks)",
		Long: `Ask the server's /readyz whether it is ready; exit 0 when it is, 1 when not.
Meant for container health checks, where no curl is available. The server's
certificate is not verified, because the check runs beside the server.`,
		Args: exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			target, _ := cmd.Flags().GetString("url")
			if target == "" {
				addr, _ := cmd.Flags().GetString("addr")
				if env := os.Getenv("TRENNWAND_ADDR"); env != "" && !cmd.Flags().Changed("addr") {
					addr = env
				}
				_, port, err := net.SplitHostPort(addr)
				if err != nil {
					return usagef("--addr %q: write host:port or :port", addr)
				}
				target = "https://" + net.JoinHostPort("127.0.0.1", port) + "/readyz"
			}
			if err := serve.Probe(target); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ready")
			return nil
		},
	}
	c.Flags().String("url", "", "readiness URL (default https://127.0.0.1:<port of --addr>/readyz)")
	c.Flags().String("addr", ":8443", "the server's listen address, to find its port; env TRENNWAND_ADDR")
	return c
}
