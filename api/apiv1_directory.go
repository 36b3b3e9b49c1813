package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/ui/output"
)

// directoryBody is the directory's settings as PUT /directory and POST /directory/test
// take them; the test reads with the stored bind password when none is given.
type directoryBody struct {
	LDAPURL        string `json:"ldap_url"`
	StartTLS       bool   `json:"start_tls"`
	CAPEM          string `json:"ca_pem"`
	BindDN         string `json:"bind_dn"`
	BindPassword   string `json:"bind_password"`
	BaseDN         string `json:"base_dn"`
	Filter         string `json:"filter"`
	DisabledFilter string `json:"disabled_filter"`
	IDAttr         string `json:"id_attr"`
	EmailAttr      string `json:"email_attr"`
	NameAttr       string `json:"name_attr"`
	AppleIDAttr    string `json:"apple_id_attr"`
	GroupAttr      string `json:"group_attr"`
	GraceDays      int    `json:"grace_days"`
	SyncMinutes    int    `json:"sync_minutes"`
}

func (b directoryBody) config() directory.Config {
	return directory.Config{LDAPURL: b.LDAPURL, StartTLS: b.StartTLS, CAPEM: b.CAPEM, BindDN: b.BindDN, BaseDN: b.BaseDN, UserFilter: b.Filter,
		DisabledFilter: b.DisabledFilter, IDAttr: b.IDAttr, EmailAttr: b.EmailAttr, NameAttr: b.NameAttr,
		AppleIDAttr: b.AppleIDAttr, GroupAttr: b.GroupAttr, GraceDays: b.GraceDays, SyncMinutes: b.SyncMinutes}
}

// getDirectory answers the tenant's directory settings, rules and last sync, never the
// bind password.
func (a *apiV1) getDirectory(c echo.Context, k call) error {
	ctx := c.Request().Context()
	cfg, err := a.svc.Directory.TenantConfig(ctx, k.tenant)
	if err != nil {
		return err
	}
	rules, err := a.svc.Directory.Rules(ctx, k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, output.DirectoryJSON(k.tenant, cfg, rules))
}

// setDirectory tests the settings against the directory and stores them if it can be
// read; the change is recorded.
func (a *apiV1) setDirectory(c echo.Context, k call) error {
	var in directoryBody
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if _, err := a.svc.Directory.SetConfig(c.Request().Context(), k.who.Actor, k.tenant, in.config(), in.BindPassword); err != nil {
		return err
	}
	return a.getDirectory(c, k)
}

// testDirectory reads the directory with the settings (and the stored password when none
// is given) and answers how many people they select, storing nothing.
func (a *apiV1) testDirectory(c echo.Context, k call) error {
	var in directoryBody
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	n, err := a.svc.Directory.Test(c.Request().Context(), k.tenant, in.config(), in.BindPassword)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"people": n})
}

// setDirectoryRules replaces the tenant's group rules, in their order of priority.
func (a *apiV1) setDirectoryRules(c echo.Context, k call) error {
	var in struct {
		Rules []struct {
			Group      string `json:"group"`
			Policy     string `json:"policy"`
			AutoInvite bool   `json:"auto_invite"`
		} `json:"rules"`
	}
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	rules := make([]directory.Rule, len(in.Rules))
	for i, r := range in.Rules {
		rules[i] = directory.Rule{GroupName: r.Group, PolicyID: r.Policy, AutoInvite: r.AutoInvite}
	}
	if _, err := a.svc.Directory.SetRules(c.Request().Context(), k.who.Actor, k.tenant, rules); err != nil {
		return err
	}
	return a.getDirectory(c, k)
}

// syncDirectory reads the directory now and applies it, or with dry_run says what it
// would do.
func (a *apiV1) syncDirectory(c echo.Context, k call) error {
	var in struct {
		DryRun bool `json:"dry_run"`
	}
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	r, err := a.svc.Directory.Sync(c.Request().Context(), k.who.Actor, k.tenant, in.DryRun)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
