package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui/invitation"
	"github.com/trennwand/trennwand/ui/output"
)

func newInviteImportCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "import",
		Short: "Invite many employees from a CSV file; all of them or, on a bad line, none",
		Long: `Invite every employee of a CSV file in one step. The first line names the
columns: email and name, optionally platform (ios, android, any),
managed_apple_id and ownership (personal, the default, or company for a phone
the employer owns); commas or semicolons separate them. A bad line is reported with
its number and nothing is imported. --letters writes a print view with one letter
and QR code per employee: print it, hand the letters out, delete the file.`,
		Example: `  trennwand invite import --tenant musterstadt --csv staff.csv --letters letters.html`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			fl := cmd.Flags()
			path, _ := fl.GetString("csv")
			if path == "" {
				return usagef("--csv is required")
			}
			days, _ := fl.GetInt("valid-days")
			if days < 1 || days > 90 {
				return usagef("--valid-days %d: choose 1 to 90 days", days)
			}
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			rows, err := invitation.ReadCSV(path)
			if err != nil {
				return err
			}
			made, err := in.svc.Enrolment.InviteMany(ctx, cliActor(), t, rows, time.Duration(days)*24*time.Hour)
			if err != nil {
				return fmt.Errorf("%s: %w (nothing was imported)", path, err)
			}
			return reportInvitations(cmd, in, t, made)
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("csv", "", "the CSV file (required)")
	f.Int("valid-days", 14, "days until the invitations expire (1 to 90)")
	f.String("letters", "", "write a printable HTML file with one letter per employee")
	f.String("lang", "de", "language of the letters: de or en")
	return c
}

func newInviteResendCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "resend",
		Short:   "Give an employee a new invitation code; the old one stops working",
		Example: `  trennwand invite resend --tenant musterstadt --email anna.berg@musterstadt.de --letters anna.html`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			email, _ := cmd.Flags().GetString("email")
			if email == "" {
				return usagef("--email is required")
			}
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			inv, err := in.svc.Enrolment.ResendInvitation(ctx, cliActor(), t, email)
			if err != nil {
				return err
			}
			return reportInvitations(cmd, in, t, []enrolment.NewInvitation{inv})
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("email", "", "the employee's e-mail address (required)")
	f.String("letters", "", "write a printable HTML letter with the new code")
	f.String("lang", "de", "language of the letter: de or en")
	return c
}

func newInviteRevokeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "revoke INVITATION-ID",
		Short:   "Make an unused invitation unusable",
		Example: `  trennwand invite revoke --tenant musterstadt 01JD8Y3V6Q1ZK1X8J9R6T0W2M4`,
		Args:    exactArgs("INVITATION-ID"),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, args []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			if err := in.svc.Enrolment.RevokeInvitation(ctx, cliActor(), t, args[0]); err != nil {
				return err
			}
			if in.cfg.JSON {
				return output.JSON(cmd.OutOrStdout(), map[string]any{"revoked": args[0]})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked invitation %s\n", args[0])
			return nil
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	return c
}

// reportInvitations prints the new invitations and writes their letters when asked.
func reportInvitations(cmd *cobra.Command, in *installation, t mdm.Tenant, made []enrolment.NewInvitation) error {
	h := invitation.Handout{PublicURL: in.cfg.PublicURL, JSON: in.cfg.JSON}
	h.Letters, _ = cmd.Flags().GetString("letters")
	h.Lang, _ = cmd.Flags().GetString("lang")
	if h.Lang != "de" && h.Lang != "en" {
		return usagef("--lang %q: use de or en", h.Lang)
	}
	if err := h.Many(cmd.OutOrStdout(), t, made); err != nil {
		return err
	}
	return lettersMade(cmd.Context(), in, t, h.Letters, made)
}

// lettersMade records that the invitations' letters were written to the file letters
// ("" for none), so that the dashboard's "letters for all unsent" leaves them alone.
func lettersMade(ctx context.Context, in *installation, t mdm.Tenant, letters string, made []enrolment.NewInvitation) error {
	if letters == "" {
		return nil
	}
	if err := in.svc.Enrolment.LettersMade(ctx, t, made); err != nil {
		return fmt.Errorf("the letters were written to %s, but could not be recorded as made: %w", letters, err)
	}
	return nil
}
