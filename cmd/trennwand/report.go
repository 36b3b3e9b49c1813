package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/dashboard"
	"github.com/trennwand/trennwand/ui/dpo"
	"github.com/trennwand/trennwand/ui/output"
)

func newReportCmd() *cobra.Command {
	employee := &cobra.Command{
		Use:   "employee",
		Short: "Everything stored about one employee and every access to it (Art. 15 GDPR)",
		Long: `Gather what trennwand keeps about one employee: the person, their invitations,
their devices with commands, certificates and inactivity flags, and every audit
event that names them, with the accesses (views, exports, reports) listed apart.
Making the report is recorded in the audit trail. --json prints it as JSON;
--html FILE writes a page to print or hand over.`,
		Example: `  trennwand report employee --tenant musterstadt --email anna@musterstadt.de --json
  trennwand report employee --tenant musterstadt --email anna@musterstadt.de --html anna.html`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, lang, err := tenantAndLang(ctx, cmd, in)
			if err != nil {
				return err
			}
			email, _ := cmd.Flags().GetString("email")
			if email == "" {
				return usagef("--email is required")
			}
			r, err := in.svc.DataProtection.ReportEmployee(ctx, cliActor(), t, email)
			if err != nil {
				return err
			}
			if file, _ := cmd.Flags().GetString("html"); file != "" {
				names, err := dashboard.ActionNames()
				if err != nil {
					return err
				}
				if err := output.NewFile(file, func(w io.Writer) error { return dpo.ReportHTML(w, r, lang, names) }); err != nil {
					return err
				}
				if !in.cfg.JSON {
					fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", file)
					return nil
				}
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), dpo.Report(r))
			}
			return dpo.ReportSummary(cmd.OutOrStdout(), r)
		}),
	}
	f := employee.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("email", "", "the employee's e-mail address (required)")
	f.String("html", "", "write the report as an HTML page to this file")
	f.String("lang", "de", "language of the page: de or en")

	processing := draftCmd("processing", "The record of processing (Art. 30 GDPR) as a starting document",
		`Generate the record of processing activities for the tenant's device management
from its data-protection settings (trennwand dataprotection set): purposes,
categories of data, recipients (Google, Apple, the operator), retention periods and
technical measures, and the legal basis. Prints Markdown; --json prints one object
with the same parts; --html FILE writes a page to print.`,
		`  trennwand report processing --tenant musterstadt > verarbeitung.md
  trennwand report processing --tenant musterstadt --html verarbeitung.html`,
		func(ctx context.Context, in *installation, t mdm.Tenant) (draft, error) {
			r, err := in.svc.DataProtection.ProcessingRecord(ctx, t)
			return draft{page: func(w io.Writer, lang string) error { return dpo.ProcessingHTML(w, r, lang) },
				text: func(w io.Writer, lang string) error { return dpo.ProcessingMarkdown(w, r, lang) },
				json: func(lang string) (any, error) { return dpo.Processing(r, lang), nil }}, err
		})
	return group("report", "Reports for the data-protection officer", append([]*cobra.Command{employee, processing}, documentCmds()...)...)
}

// tenantAndLang returns the tenant --tenant names and the language --lang asks for.
func tenantAndLang(ctx context.Context, cmd *cobra.Command, in *installation) (mdm.Tenant, string, error) {
	t, err := tenantFlag(ctx, cmd, in)
	if err != nil {
		return t, "", err
	}
	lang, err := langFlag(cmd)
	return t, lang, err
}

// langFlag returns the language asked for with --lang.
func langFlag(cmd *cobra.Command) (string, error) {
	l, _ := cmd.Flags().GetString("lang")
	lang, err := dpo.ParseLang(l)
	if err != nil {
		return "", usagef("--lang: %v", err)
	}
	return lang, nil
}
