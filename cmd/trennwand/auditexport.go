package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/ui/output"
)

func newAuditExportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "export",
		Short: "Export a tenant's audit events with a manifest signed by the CA",
		Long: `Write a tenant's audit events into a new directory: events.jsonl (JSON Lines, one
event per line with its hashes: the canonical form) or events.csv (for
spreadsheets), manifest.json (the files with their SHA-256, the chain head and the
latest signed checkpoint the export covers, the time range, who exported) and
manifest.json.p7s, a detached CMS signature of the manifest made with a signing
certificate of the installation's CA.

The export is itself an audit event, recorded before the events are read: the
export contains it (when the filters select it), and the chain head in the
manifest is that event. --from and --to take a date (a day in UTC; --to includes
that day) or an RFC 3339 time; --from is inclusive, --to exclusive. --employee
selects the events about one employee: those that name the employee, one of their
devices or one of their invitations.

Check the signature with the CA certificates from <public URL>/pki/ca.pem:

  ` + export.VerifyCommand + `

and each file against its SHA-256 in the manifest (sha256sum).`,
		Example: `  trennwand audit export --tenant musterstadt --out audit-2025-q1 --from 2025-01-01 --to 2025-03-31
  trennwand audit export --tenant musterstadt --format csv --employee anna.berg@musterstadt.de --out anna-berg`,
		Args: exactArgs(),
		RunE: withInstallation(runAuditExport),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("format", string(trail.AuditJSONLines), "jsonl (JSON Lines, canonical) or csv")
	f.String("from", "", "only events at or after this date or RFC 3339 time")
	f.String("to", "", "only events before this RFC 3339 time, or up to the end of this date")
	f.String("employee", "", "only events about the employee with this e-mail address")
	f.String("out", "", "a new or empty directory to write the export into (required)")
	return c
}

func runAuditExport(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
	fl := cmd.Flags()
	format, _ := fl.GetString("format")
	employee, _ := fl.GetString("employee")
	out, _ := fl.GetString("out")
	if out == "" {
		return usagef("--out is required: a new or empty directory for the export")
	}
	from, err := exportTimeFlag(cmd, "from", false)
	if err != nil {
		return err
	}
	to, err := exportTimeFlag(cmd, "to", true)
	if err != nil {
		return err
	}
	t, err := tenantFlag(ctx, cmd, in)
	if err != nil {
		return err
	}
	x, err := in.svc.Trail.PrepareAuditExport(ctx, t, trail.AuditExportRequest{Format: trail.AuditFormat(format), From: from, To: to, Employee: employee})
	if err != nil {
		return err
	}
	existed, err := export.CheckDir(out)
	if err != nil {
		return fmt.Errorf("--out %w", err)
	}

	m, signer, err := in.ExportAudit(ctx, cliActor(), x, out, existed)
	if err != nil {
		return err
	}
	files := export.Files(x.Format)
	if in.cfg.JSON {
		return output.JSON(cmd.OutOrStdout(), map[string]any{"out": out, "files": files, "manifest": m})
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "exported %d events of tenant %s to %s\n  %s  sha256 %s\n  %s\n  %s  signed by %q\nverify in %s with ca.pem from %s:\n  %s\n",
		m.Events, t.Name, out, files[0], m.Files[0].SHA256, files[1], files[2], signer.Certificate().Subject.String(),
		out, in.cfg.PublicURL.JoinPath("/pki/ca.pem"), export.VerifyCommand)
	return err
}

// exportTimeFlag reads --from or --to.
func exportTimeFlag(cmd *cobra.Command, name string, end bool) (time.Time, error) {
	s, _ := cmd.Flags().GetString(name)
	t, err := export.ParseTime(s, end)
	if err != nil {
		return time.Time{}, usagef("--%s %q: %v", name, s, err)
	}
	return t, nil
}
