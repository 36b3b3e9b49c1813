package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trennwand/trennwand/api"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/openid"
	"github.com/trennwand/trennwand/ui/output"
)

func newSSOCmd() *cobra.Command {
	return group("sso", "Single sign-on of a tenant's administrators (and employees) through its OpenID Connect provider",
		newSSOSetCmd(), newSSOShowCmd())
}

// mfaRule is the rule that the values of --require-mfa and --mfa-claim mean.
func mfaRule(require, claim string) (access.MFARule, error) {
	switch {
	case require == "local":
		return access.MFALocal, nil
	case require == "idp" && claim == "amr":
		return access.MFAByAMR, nil
	case require == "idp" && claim == "acr":
		return access.MFAByACR, nil
	}
	return "", usagef("--require-mfa is idp or local, --mfa-claim amr or acr")
}

func newSSOSetCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "set",
		Short: "Set a tenant's OpenID Connect provider; its discovery document is checked before anything is saved",
		Long: `Set the provider at which the tenant's administrators sign in, and with
--employees-confirm its employees too before a phone is set up. The issuer's discovery
document is fetched first and must name the issuer exactly; only then is the setting
stored, the client secret sealed with the master key. The groups of the groups claim give
the roles (a person must be in groups of exactly one role). The second factor is proved by
the provider (--require-mfa idp: the ID token's amr, or acr with --mfa-claim acr, holds one
of --mfa-value) or asked here after the provider (--require-mfa local). A provider whose
certificate comes from the town's own CA is trusted through SSL_CERT_FILE. The change is
audited; show prints the redirect URIs to register at the provider.`,
		Example: `  trennwand sso set --tenant musterstadt --issuer https://login.musterstadt.de/realms/rathaus \
      --client-id trennwand --client-secret-file secret.txt --admin-group mdm-admins \
      --helpdesk-group mdm-helpdesk --dpo-group datenschutz --require-mfa idp --employees-confirm`,
		Args: exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			s := access.SSOSettings{}
			s.Issuer, _ = f.GetString("issuer")
			s.ClientID, _ = f.GetString("client-id")
			s.DisplayName, _ = f.GetString("name")
			s.GroupsClaim, _ = f.GetString("groups-claim")
			s.Scopes, _ = f.GetStringSlice("scope")
			s.AdminGroups, _ = f.GetStringArray("admin-group")
			s.HelpdeskGroups, _ = f.GetStringArray("helpdesk-group")
			s.DPOGroups, _ = f.GetStringArray("dpo-group")
			s.MFAValues, _ = f.GetStringSlice("mfa-value")
			s.Required, _ = f.GetBool("required")
			s.EmployeesConfirm, _ = f.GetBool("employees-confirm")
			require, _ := f.GetString("require-mfa")
			claim, _ := f.GetString("mfa-claim")
			if s.MFA, err = mfaRule(require, claim); err != nil {
				return err
			}
			if s.Issuer == "" || s.ClientID == "" {
				return usagef("--issuer and --client-id are required")
			}
			if s.DisplayName == "" {
				if u, err := url.Parse(s.Issuer); err == nil {
					s.DisplayName = u.Hostname()
				}
			}
			if f.Changed("client-secret-file") {
				secret, err := readFlagFile(cmd, "client-secret-file")
				if err != nil {
					return err
				}
				s.ClientSecret = strings.TrimRight(string(secret), "\r\n")
			}
			if _, err := openid.New(nil).Discover(ctx, s.Issuer); err != nil {
				return fmt.Errorf("%w: the provider's discovery document: %v; nothing was saved", mdm.ErrInvalid, err)
			}
			p, err := in.svc.Access.SSO().SetProvider(ctx, cliActor(), t, s)
			if err != nil {
				return err
			}
			return showSSO(ctx, cmd, in, t, p)
		}),
	}
	f := c.Flags()
	f.String("tenant", "", "tenant name (required)")
	f.String("issuer", "", "the provider's https issuer URL, exactly as its discovery document names it (required)")
	f.String("client-id", "", "the client registered at the provider (required)")
	f.String("client-secret-file", "", "file holding the client's secret (stored sealed; left out, the stored one stays)")
	f.String("name", "", "the provider's name on the sign-in button (default: the issuer's host)")
	f.String("groups-claim", "groups", "the ID token's claim that lists the person's groups")
	f.StringSlice("scope", nil, "scopes to ask for (default openid,email,profile; openid is always asked for)")
	f.StringArray("admin-group", nil, "a group whose members are administrators (repeat)")
	f.StringArray("helpdesk-group", nil, "a group whose members are helpdesk (repeat)")
	f.StringArray("dpo-group", nil, "a group whose members are data-protection officers (repeat)")
	f.String("require-mfa", "idp", "idp: the provider proves the second factor; local: the administrator's own second factor after the provider")
	f.String("mfa-claim", "amr", "with --require-mfa idp: the claim that proves it, amr or acr")
	f.StringSlice("mfa-value", []string{"mfa"}, "with --require-mfa idp: the amr or acr values that count as a second factor")
	f.Bool("required", false, "only break-glass administrators keep the password sign-in")
	f.Bool("employees-confirm", false, "employees sign in at the provider before a phone is set up, so that a lost letter enrols nobody else")
	return c
}

func newSSOShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "show",
		Short:   "Show a tenant's single sign-on and the redirect URIs to register at the provider (never the secret)",
		Example: `  trennwand sso show --tenant musterstadt --json`,
		Args:    exactArgs(),
		RunE: withInstallation(func(ctx context.Context, cmd *cobra.Command, in *installation, _ []string) error {
			t, err := tenantFlag(ctx, cmd, in)
			if err != nil {
				return err
			}
			p, err := in.svc.Access.SSO().Provider(ctx, t.ID)
			if errors.Is(err, mdm.ErrNotFound) {
				return fmt.Errorf("tenant %s has no single sign-on (trennwand sso set sets it)", t.Name)
			} else if err != nil {
				return err
			}
			return showSSO(ctx, cmd, in, t, p)
		}),
	}
	c.Flags().String("tenant", "", "tenant name (required)")
	return c
}

// showSSO prints the tenant's provider with its break-glass administrators and the
// redirect URIs under the installation's public URL.
func showSSO(ctx context.Context, cmd *cobra.Command, in *installation, t mdm.Tenant, p access.SSOProvider) error {
	ids, err := in.svc.Access.SSO().BreakGlassAdmins(ctx, t.ID)
	if err != nil {
		return err
	}
	public := in.cfg.PublicURL
	return output.SSO(cmd.OutOrStdout(), in.cfg.JSON, t, p, ids, api.SSORedirectURL(public, t.Name), api.EmployeeRedirectURLs(public))
}
