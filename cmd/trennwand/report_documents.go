package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui/dpo"
	"github.com/trennwand/trennwand/ui/output"
)

// documentCmds are `report dpia`, `report agreement` and `report bsi`: the drafts for the
// data-protection officer, generated from the tenant's settings and what trennwand does.
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
		c := &cobra.Command{
			Use:   string(doc),
			Short: about[doc][0],
			Long: fmt.Sprintf(`Generate a draft from the tenant's data-protection settings, the privacy notice
and the roles: %s.
Generating it is recorded in the audit trail. Prints Markdown; --html FILE writes
a page to print.`, about[doc][1]),
			Example: fmt.Sprintf("  trennwand report %s --tenant musterstadt > %s.md\n  trennwand report %s --tenant musterstadt --html %s.html --lang en",
				doc, doc, doc, doc),
			Args: exactArgs(),
			RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
				t, err := tenantFlag(ctx, cmd, in)
				if err != nil {
					return err
				}
				lang, err := langFlag(cmd)
				if err != nil {
					return err
				}
				f, err := in.svc.DataProtection.DocumentDraft(ctx, cliActor(), t, doc)
				if err != nil {
					return err
				}
				if file, _ := cmd.Flags().GetString("html"); file != "" {
					if err := output.NewFile(file, func(w io.Writer) error { return dpo.DocumentHTML(w, f, lang) }); err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", file)
					return nil
				}
				return dpo.DocumentText(cmd.OutOrStdout(), f, lang)
			}),
		}
		c.Flags().String("tenant", "", "tenant name (required)")
		c.Flags().String("html", "", "write the draft as an HTML page to this file")
		c.Flags().String("lang", "de", "language of the draft: de or en")
		cmds = append(cmds, c)
	}
	return cmds
}
