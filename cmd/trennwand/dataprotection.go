package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/ui/dpo"
)

func newDataProtectionCmd() *cobra.Command {
	show := &cobra.Command{
		Use:     "show",
		Short:   "Show a tenant's retention periods and inactivity rule",
		Example: `  trennwand dataprotection show --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			d, err := in.svc.DataProtection.TenantDataProtection(ctx, t)
			if err != nil {
				return err
			}
			return dpo.WriteSettings(cmd.OutOrStdout(), in.cfg.JSON, t, d)
		}),
	}
	show.Flags().String("tenant", "", "tenant name (required)")

	set := &cobra.Command{
		Use:   "set",
		Short: "Change a tenant's retention periods, inactivity rule or record of processing",
		Long: `Change only the settings given; the others keep their values. The change is
recorded in the audit trail.`,
		Example: `  trennwand dataprotection set --tenant musterstadt --device-retention-days 30 --audit-retention-years 3
  trennwand dataprotection set --tenant musterstadt --inactivity-days 60 --inactivity-grace-days 14 \
      --inactivity-action lock --it-email it@musterstadt.de
  trennwand dataprotection set --tenant musterstadt --legal-basis art6_1_b --employment-law land --land-law "§ 18 DSG NRW"`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			d, err := in.svc.DataProtection.TenantDataProtection(ctx, t)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			ints := map[string]*int{"device-retention-days": &d.DeviceRetentionDays, "audit-retention-years": &d.AuditRetentionYears,
				"inactivity-days": &d.InactivityDays, "inactivity-grace-days": &d.InactivityGraceDays}
			for name, dst := range ints {
				if f.Changed(name) {
					*dst, _ = f.GetInt(name)
				}
			}
			strs := map[string]*string{"it-email": &d.ITContactEmail, "purposes": &d.Purposes, "measures": &d.Measures, "land-law": &d.LandLaw}
			for name, dst := range strs {
				if f.Changed(name) {
					*dst, _ = f.GetString(name)
				}
			}
			if f.Changed("legal-basis") {
				b, _ := f.GetString("legal-basis")
				d.LegalBasis = dataprotection.LegalBasis(b)
			}
			if f.Changed("employment-law") {
				l, _ := f.GetString("employment-law")
				d.EmploymentLaw = dataprotection.EmploymentLaw(l)
			}
			if f.Changed("inactivity-action") {
				a, _ := f.GetString("inactivity-action")
				d.InactivityAction = dataprotection.InactivityAction(a)
			}
			if d, err = in.svc.DataProtection.SetDataProtection(ctx, cliActor(), t, d); err != nil {
				return err
			}
			return dpo.WriteSettings(cmd.OutOrStdout(), in.cfg.JSON, t, d)
		}),
	}
	f := set.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.Int("device-retention-days", 0, "delete a removed device's data this many days after removal (1 to 3650)")
	f.Int("audit-retention-years", 0, "remove audit events older than this many years (0 keeps them for ever)")
	f.Int("inactivity-days", 0, "flag devices without contact for 30, 60 or 90 days (0 turns the rule off)")
	f.Int("inactivity-grace-days", 0, "days a flagged device has to report before the action")
	f.String("inactivity-action", "", "after the grace period: lock (the work area) or remove (the work container)")
	f.String("it-email", "", "IT's address for inactivity notices (empty: the employee only)")
	f.String("purposes", "", "the purposes in the tenant's own words, for the record of processing")
	f.String("measures", "", "further technical and organisational measures, for the record of processing")
	f.String("legal-basis", "", "the legal basis: art6_1_b (Art. 6(1)(b) GDPR) or art6_1_c (Art. 6(1)(c) GDPR)")
	f.String("employment-law", "", "with it: bdsg26 (Section 26 BDSG) or land (the Land's service law, named with --land-law)")
	f.String("land-law", "", `the Land's provision, for example "§ 18 DSG NRW"`)
	return group("dataprotection", "Retention periods, the inactivity rule and the record of processing", show, set)
}
