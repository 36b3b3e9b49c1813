package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/ui/output"
)

func newDirectoryCmd() *cobra.Command {
	return group("directory", "Employees from the tenant's directory (LDAP, Active Directory): joiners, movers and leavers",
		newDirectorySetCmd(), newDirectoryShowCmd(), newDirectoryRulesCmd(), newDirectorySyncCmd())
}

func newDirectorySetCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "set",
		Short: "Set how a tenant's LDAP directory is read; the connection is tested before anything is saved",
		Long: `Bind to the directory with the settings and read it; only if that works are the settings
stored, the password sealed with the master key. ldaps:// is TLS from the start; an ldap://
address needs --start-tls unless it is the local host. A directory whose certificate comes
from the town's own CA is trusted with --ca-file (for this tenant only). The defaults fit an Active Directory
(people by objectClass user, disabled by userAccountControl bit 2, groups in memberOf);
for OpenLDAP give --filter, --disabled-filter and --id-attr entryUUID. The change is audited.`,
		Example: `  trennwand directory set --tenant musterstadt --ldap-url ldaps://dc1.musterstadt.local \
      --bind-dn "CN=trennwand,OU=Dienste,DC=musterstadt,DC=local" --bind-password-file bind.txt \
      --base-dn "OU=Mitarbeitende,DC=musterstadt,DC=local"
  trennwand directory set --tenant musterstadt --ldap-url ldap://ldap.musterstadt.de --start-tls \
      --bind-dn cn=sync,dc=musterstadt,dc=de --bind-password-file bind.txt --base-dn ou=people,dc=musterstadt,dc=de \
      --filter "(objectClass=inetOrgPerson)" --disabled-filter "(pwdAccountLockedTime=*)" --id-attr entryUUID`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			for _, name := range []string{"ldap-url", "bind-dn", "base-dn"} {
				if v, _ := f.GetString(name); v == "" {
					return usagef("--%s is required", name)
				}
			}
			secret, err := readFlagFile(cmd, "bind-password-file")
			if err != nil {
				return err
			}
			c := directory.Config{}
			strs := map[string]*string{"ldap-url": &c.LDAPURL, "bind-dn": &c.BindDN, "base-dn": &c.BaseDN, "filter": &c.UserFilter,
				"disabled-filter": &c.DisabledFilter, "id-attr": &c.IDAttr, "email-attr": &c.EmailAttr, "name-attr": &c.NameAttr,
				"apple-id-attr": &c.AppleIDAttr, "group-attr": &c.GroupAttr}
			for name, dst := range strs {
				*dst, _ = f.GetString(name)
			}
			c.StartTLS, _ = f.GetBool("start-tls")
			if f.Changed("ca-file") {
				ca, err := readFlagFile(cmd, "ca-file")
				if err != nil {
					return err
				}
				c.CAPEM = string(ca)
			}
			c.GraceDays, _ = f.GetInt("grace-days")
			c.SyncMinutes, _ = f.GetInt("sync-minutes")
			password := strings.TrimRight(string(secret), "\r\n")
			if c, err = in.svc.Directory.SetConfig(ctx, cliActor(), t, c, password); err != nil {
				return err
			}
			rules, err := in.svc.Directory.Rules(ctx, t)
			if err != nil {
				return err
			}
			return output.Directory(cmd.OutOrStdout(), in.cfg.JSON, t, c, rules)
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("ldap-url", "", "the directory's address, ldaps://HOST[:PORT] or ldap://HOST[:PORT] (required)")
	f.Bool("start-tls", false, "upgrade an ldap:// connection with StartTLS before binding")
	f.String("ca-file", "", "PEM file with the CA certificates the directory's certificate must chain to, for this tenant only (default: the system's roots)")
	f.String("bind-dn", "", "the service account to bind as (required)")
	f.String("bind-password-file", "", "file holding the service account's password (required; stored sealed)")
	f.String("base-dn", "", "where the employees are searched (required)")
	f.String("filter", "", "LDAP filter of the employees (default "+directory.DefaultUserFilter+")")
	f.String("disabled-filter", "", "LDAP filter that, within them, selects the disabled ones (default "+directory.DefaultDisabledFilter+")")
	f.String("id-attr", "", "attribute with the directory's stable ID (default "+directory.DefaultIDAttr+"; OpenLDAP: entryUUID)")
	f.String("email-attr", "", "attribute with the e-mail address (default "+directory.DefaultEmailAttr+")")
	f.String("name-attr", "", "attribute with the name (default "+directory.DefaultNameAttr+")")
	f.String("apple-id-attr", "", "attribute with the managed Apple account (default: none)")
	f.String("group-attr", "", "attribute with the person's groups (default "+directory.DefaultGroupAttr+")")
	f.Int("grace-days", directory.DefaultGraceDays, "days between a leaver's departure and the removal of their work containers (1 to 365)")
	f.Int("sync-minutes", directory.DefaultSyncMinutes, "minutes between two reads of the directory (5 to 10080)")
	return c
}

func newDirectoryShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "show",
		Short:   "Show a tenant's directory settings, group rules and last sync (never the password)",
		Example: `  trennwand directory show --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			c, err := in.svc.Directory.TenantConfig(ctx, t)
			if err != nil {
				return err
			}
			rules, err := in.svc.Directory.Rules(ctx, t)
			if err != nil {
				return err
			}
			return output.Directory(cmd.OutOrStdout(), in.cfg.JSON, t, c, rules)
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	return c
}

func newDirectoryRulesCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "rules",
		Short: "Set what the directory's groups mean: the work policy of their members' devices, and automatic invitations",
		Long: `Replace the tenant's group rules with the --rule flags, in their order: a person in
several groups follows the first rule that names one of them. A group is named by its whole
DN or its CN. With ",invite" new members get an invitation without waiting for IT. Without
--rule the rules are removed. The devices follow at the next sync; the change is audited.`,
		Example: `  trennwand directory rules --tenant musterstadt --rule "Kita=Kita,invite" --rule "Verwaltung=Verwaltung"`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			specs, _ := cmd.Flags().GetStringArray("rule")
			rules := make([]directory.Rule, len(specs))
			for i, spec := range specs {
				group, policy, ok := strings.Cut(spec, "=")
				if !ok {
					return usagef("--rule %q: write GROUP=POLICY or GROUP=POLICY,invite", spec)
				}
				policy, invite := strings.CutSuffix(policy, ",invite")
				p, err := in.WorkPolicyNamed(ctx, t, policy)
				if err != nil {
					return usagef("--rule %q: %v", spec, err)
				}
				rules[i] = directory.Rule{GroupName: group, PolicyID: p.ID, AutoInvite: invite}
			}
			if _, err := in.svc.Directory.SetRules(ctx, cliActor(), t, rules); err != nil {
				return err
			}
			c, err := in.svc.Directory.TenantConfig(ctx, t)
			if err != nil {
				return err
			}
			stored, err := in.svc.Directory.Rules(ctx, t)
			if err != nil {
				return err
			}
			return output.Directory(cmd.OutOrStdout(), in.cfg.JSON, t, c, stored)
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	c.Flags().StringArray("rule", nil, "GROUP=POLICY or GROUP=POLICY,invite (repeat, first one wins)")
	return c
}

func newDirectorySyncCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sync",
		Short: "Read a tenant's directory now and apply it: joiners, movers and leavers",
		Long: `Read the directory and apply it as the server does every few minutes: joiners are
invited where their group's rule says so, movers' devices move to their group's work
policy, leavers' invitations are revoked and their work containers removed after the
grace period. --dry-run only says what would be done.`,
		Example: `  trennwand directory sync --tenant musterstadt --dry-run --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			dry, _ := cmd.Flags().GetBool("dry-run")
			r, err := in.svc.Directory.Sync(ctx, cliActor(), t, dry)
			if err != nil {
				return err
			}
			return output.SyncResult(cmd.OutOrStdout(), in.cfg.JSON, r)
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	c.Flags().Bool("dry-run", false, "only report what would be done")
	return c
}
