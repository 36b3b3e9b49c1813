package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui/invitation"
)

func newInviteCmd() *cobra.Command {
	create := &cobra.Command{
		Use:   "create",
		Short: "Invite an employee to enrol their phone; prints the code, its URL and a QR code",
		Long: `Create an invitation for one employee (created on first invitation). The code is
printed once, with the portal URL it opens and a QR code image of that URL for a
letter; the server keeps only a hash of the code. The QR code file holds the code
too: hand it over and delete it. The tenant must have set up the platform first (Android:
android bind; iPhone: apple push-cert upload), and an iPhone invitation needs the
employee's managed Apple account. --ownership company invites a phone the employer owns
(COPE): on it the employer may also see its serial number and IMEI or UDID, lock it and erase it
as a whole; the employee's notice says so. The ownership never changes while the phone
is enrolled.`,
		Example: `  trennwand invite create --tenant musterstadt --email anna.berg@musterstadt.de --name "Anna Berg"
  trennwand invite create --tenant musterstadt --email jo@musterstadt.de --platform ios --apple-id jo@appleid.musterstadt.de --json
  trennwand invite create --tenant musterstadt --email hof@musterstadt.de --platform android --ownership company`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			fl := cmd.Flags()
			email, _ := fl.GetString("email")
			if email == "" {
				return usagef("--email is required")
			}
			platformName, _ := fl.GetString("platform")
			platform, err := mdm.ParseInvitationPlatform(platformName)
			if err != nil {
				return err
			}
			ownershipName, _ := fl.GetString("ownership")
			ownership, err := mdm.ParseOwnership(ownershipName)
			if err != nil {
				return err
			}
			days, _ := fl.GetInt("valid-days")
			if days < 1 || days > 90 {
				return usagef("--valid-days %d: choose 1 to 90 days", days)
			}
			qrPath, _ := fl.GetString("qr")
			name, _ := fl.GetString("name")
			appleID, _ := fl.GetString("apple-id")
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			inv, err := in.svc.Enrolment.Invite(ctx, cliActor(), t, enrolment.InviteRequest{
				Email: email, Name: name, Platform: platform, ManagedAppleID: appleID,
				Validity: time.Duration(days) * 24 * time.Hour, Ownership: ownership,
			})
			if err != nil {
				return err
			}
			letters, _ := fl.GetString("letters")
			h := invitation.Handout{PublicURL: in.cfg.PublicURL, JSON: in.cfg.JSON, Letters: letters}
			if err := h.One(cmd.OutOrStdout(), t, inv, qrPath); err != nil {
				return err
			}
			return lettersMade(ctx, in, t, letters, []enrolment.NewInvitation{inv})
		}),
	}
	f := create.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("email", "", "the employee's e-mail address (required)")
	f.String("name", "", "the employee's name, for the letter")
	f.String("platform", "any", "ios, android, or any (the employee chooses)")
	f.String("ownership", "personal", "personal (the employee's own phone) or company (the employer's phone, private use allowed)")
	f.String("apple-id", "", "the employee's managed Apple account, for iPhone User Enrolment (required with --platform ios unless the employee has one on record)")
	f.Int("valid-days", 14, "days until the invitation expires (1 to 90)")
	f.String("qr", "", "where to write the QR code PNG (default invitation-<id>.png; - for none)")
	f.String("letters", "", "also write a printable HTML letter with the QR code (German)")
	return group("invite", "Invite employees to enrol their phones", create, newInviteImportCmd(), newInviteResendCmd(), newInviteRevokeCmd())
}
