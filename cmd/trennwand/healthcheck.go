package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
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
			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // probe of the local server
			}}
			resp, err := client.Get(target)
			if err != nil {
				return fmt.Errorf("health check: %w", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health check %s: %w (HTTP %d)", target, errNotReady, resp.StatusCode)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ready")
			return nil
		},
	}
	c.Flags().String("url", "", "readiness URL (default https://127.0.0.1:<port of --addr>/readyz)")
	c.Flags().String("addr", ":8443", "the server's listen address, to find its port; env TRENNWAND_ADDR")
	return c
}

// errNotReady is returned by the health check when the server answers but is not ready.
var errNotReady = errors.New("not ready")
