package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// Directory writes a tenant's directory settings and rules, never the bind password;
// with asJSON as one object.
func Directory(w io.Writer, asJSON bool, t mdm.Tenant, c directory.Config, rules []directory.Rule) error {
	v := DirectoryJSON(t, c, rules)
	if asJSON {
		return JSON(w, v)
	}
	if !c.HasLDAP() {
		if _, err := fmt.Fprintf(w, "%s: no LDAP directory set (leavers' grace period %d days)\n", t.Name, c.GraceDays); err != nil {
			return err
		}
	} else {
		last := "never"
		if c.LastSyncAt != nil {
			last = localTime(c.LastSyncAt, "never") + " " + c.LastSyncResult + c.LastSyncError
		}
		rows := [][]string{{"address", c.LDAPURL}, {"StartTLS", fmt.Sprint(c.StartTLS)}, {"own CA", fmt.Sprint(c.CAPEM != "")}, {"bind DN", c.BindDN}, {"base DN", c.BaseDN},
			{"filter", c.UserFilter}, {"disabled filter", c.DisabledFilter},
			{"attributes", fmt.Sprintf("id=%s mail=%s name=%s apple=%s groups=%s", c.IDAttr, c.EmailAttr, c.NameAttr, c.AppleIDAttr, c.GroupAttr)},
			{"read every", fmt.Sprintf("%d minutes", c.SyncMinutes)}, {"leavers' grace", fmt.Sprintf("%d days", c.GraceDays)}, {"last sync", last}}
		if err := Table(w, []string{"SETTING", "VALUE"}, rows); err != nil {
			return err
		}
	}
	if len(rules) == 0 {
		_, err := fmt.Fprintln(w, "no group rules")
		return err
	}
	rows := make([][]string, len(rules))
	for i, r := range rules {
		rows[i] = []string{r.GroupName, r.PolicyID, fmt.Sprint(r.AutoInvite)}
	}
	return Table(w, []string{"GROUP", "WORK POLICY", "INVITE"}, rows)
}

// DirectoryJSON is a tenant's directory settings and rules in JSON, for the command line
// and the JSON API; the bind password is never in it.
func DirectoryJSON(t mdm.Tenant, c directory.Config, rules []directory.Rule) map[string]any {
	rs := make([]map[string]any, len(rules))
	for i, r := range rules {
		rs[i] = map[string]any{"group": r.GroupName, "policy": r.PolicyID, "auto_invite": r.AutoInvite}
	}
	var result any
	if c.LastSyncResult != "" {
		_ = json.Unmarshal([]byte(c.LastSyncResult), &result)
	}
	return map[string]any{"tenant": t.Name, "ldap_url": c.LDAPURL, "start_tls": c.StartTLS, "ca_pem": c.CAPEM, "bind_dn": c.BindDN,
		"base_dn": c.BaseDN, "filter": c.UserFilter, "disabled_filter": c.DisabledFilter, "id_attr": c.IDAttr,
		"email_attr": c.EmailAttr, "name_attr": c.NameAttr, "apple_id_attr": c.AppleIDAttr, "group_attr": c.GroupAttr,
		"grace_days": c.GraceDays, "sync_minutes": c.SyncMinutes, "password_set": len(c.BindPassword) > 0,
		"last_sync_at": c.LastSyncAt, "last_sync_result": result, "last_sync_error": c.LastSyncError, "rules": rs}
}

// SyncResult writes what a sync of the directory did or, with a dry run, would do; with
// asJSON as one object ({"joiners": […], "movers": […], "leavers": […]}).
func SyncResult(w io.Writer, asJSON bool, r directory.Result) error {
	if asJSON {
		return JSON(w, r)
	}
	verb := "did"
	if r.DryRun {
		verb = "would do (dry run)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The sync %s: %d joiners, %d movers, %d leavers\n", verb, len(r.Joiners), len(r.Movers), len(r.Leavers))
	for _, j := range r.Joiners {
		fmt.Fprintf(&b, "  joiner  %s  invited=%v\n", j.Email, j.Invited)
	}
	for _, m := range r.Movers {
		fmt.Fprintf(&b, "  mover   %s  device %s → policy %s\n", m.Email, m.DeviceID, m.To)
	}
	for _, l := range r.Leavers {
		fmt.Fprintf(&b, "  leaver  %s  %s, %d devices, removal on %s\n", l.Email, l.Reason, l.Devices, l.Due.Local().Format("2006-01-02"))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "  skipped %s: %s\n", s.ExternalID, s.Reason)
	}
	for _, s := range r.Failed {
		fmt.Fprintf(&b, "  failed  %s: %s\n", s.ExternalID, s.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
