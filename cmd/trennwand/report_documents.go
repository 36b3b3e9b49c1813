package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui/dpo"
	"github.com/trennwand/trennwand/ui/output"
)

// draft is a document for the data-protection officer, ready to render in a language as
// a page to print, as Markdown, or as JSON (sections and their rows).
type draft struct {
	page, text func(w io.Writer, lang string) error
	json       func(lang string) (any, error)
}

// draftCmd is a `report` command that makes a tenant's document with gather and prints
// it as Markdown, or with --json as one JSON object, or writes it as a page to the file
// --html names — as `report employee` does.
func draftCmd(use, short, long, example string, gather func(context.Context, *installation, mdm.Tenant) (draft, error)) *cobra.Command {
	c := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, lang, err := tenantAndLang(ctx, cmd, in)
			if err != nil {
				return err
			}
			d, err := gather(ctx, in, t)
			if err != nil {
				return err
			}
			if file, _ := cmd.Flags().GetString("html"); file != "" {
				if err := output.NewFile(file, func(w io.Writer) error { return d.page(w, lang) }); err != nil {
					return err
				}
				if !in.cfg.JSON {
					fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", file)
					return nil
				}
			}
			if in.cfg.JSON {
				v, err := d.json(lang)
				if err != nil {
					return err
				}
				return output.JSON(cmd.OutOrStdout(), v)
			}
			return d.text(cmd.OutOrStdout(), lang)
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	c.Flags().String("html", "", "write it as an HTML page to this file")
	c.Flags().String("lang", "de", "language: de or en")
	return c
}

// documentCmds are `report dpia`, `report agreement` and `report bsi`: the drafts for
// approval, generated from the tenant's settings and what trennwand does.
func documentCmds() []*cobra.Command {
	about := map[dataprotection.Document][2]string{
		dataprotection.DocumentDPIA: {"The data-protection impact assessment (Art. 35 GDPR) as a draft",
			"the processing, why a work container is necessary and proportionate, the risks\nto employees and the measures, each with the setting this installation has"},
		dataprotection.DocumentAgreement: {"The service agreement with the staff council (Dienstvereinbarung) as a draft",
			"what is and never is collected or done (the privacy notice, word for word), no\nmonitoring of behaviour or performance, the role matrix, retention, the\nemployee's rights and how changes are announced"},
		dataprotection.DocumentBSI: {"The mapping to BSI IT-Grundschutz (SYS.3.2.2) and the MDM minimum standard",
			"each requirement with how trennwand meets it and the tests that prove it, or\nwhat the operator must do"},
	}
	var cmds []*cobra.Command
	for _, doc := range dataprotection.Documents {
		long := fmt.Sprintf(`Generate a draft from the tenant's data-protection settings, the privacy notice
and the roles: %s.
Generating it is recorded in the audit trail. Prints Markdown; --json prints one
object with its sections (paragraphs, items, table rows); --html FILE writes a page
to print.`, about[doc][1])
		example := fmt.Sprintf("  trennwand report %s --tenant musterstadt > %s.md\n  trennwand report %s --tenant musterstadt --html %s.html --lang en\n  trennwand report %s --tenant musterstadt --json",
			doc, doc, doc, doc, doc)
		cmds = append(cmds, draftCmd(string(doc), about[doc][0], long, example,
			func(ctx context.Context, in *installation, t mdm.Tenant) (draft, error) {
				f, err := in.svc.DataProtection.DocumentDraft(ctx, cliActor(), t, doc)
				return draft{page: func(w io.Writer, lang string) error { return dpo.DocumentHTML(w, f, lang) },
					text: func(w io.Writer, lang string) error { return dpo.DocumentText(w, f, lang) },
					json: func(lang string) (any, error) { return dpo.Document(f, lang) }}, err
			}))
	}
	return cmds
}
