package dashboard

import (
	"net/http"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// The compliance page of a work policy: each rule with its threshold, grace period and
// consequences, how many of the policy's active devices break it now, and a preview of
// how many a change would make non-compliant before it is saved. The form works without
// JavaScript: "preview" shows the counts for the rules as entered, "save" keeps them.

// ruleRow is one rule of the form.
type ruleRow struct {
	compliance.RuleSetting
	On        bool
	Failing   int  // devices that break the rule as it stands now
	Preview   int  // devices that would break the rule as entered
	Previewed bool // the form was previewed
}

// Has reports whether the row chose the consequence, for the form's check boxes.
func (r ruleRow) Has(c string) bool {
	return slices.Contains(r.Consequences, compliance.Consequence(c))
}

// compliancePage is the page's data.
type compliancePage struct {
	Policy  mdm.WorkPolicy
	Rules   []ruleRow
	Devices int
	Failing int // devices breaking at least one rule: now, or as previewed
	Preview *compliance.Preview
}

// complianceRules shows a work policy's compliance rules with today's counts.
func (d *Dashboard) complianceRules(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p, err := d.svc.WorkPolicy.WorkPolicy(r.Context(), v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	rules, err := d.svc.Compliance.PolicyRules(r.Context(), v.Tenant, p.ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	page, err := d.compliancePage(r, p, rules, nil)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, "compliance.html", "compliance.title", page)
}

// saveComplianceRules previews or saves the form's rules.
func (d *Dashboard) saveComplianceRules(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	p, err := d.svc.WorkPolicy.WorkPolicy(r.Context(), v.Tenant, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	rules := rulesFromForm(r)
	if r.PostFormValue("action") == "save" {
		if err := d.svc.Compliance.SetPolicyRules(r.Context(), v.Principal.Actor, v.Tenant, p.ID, rules); err != nil {
			d.fail(w, r, err)
			return
		}
		back(w, r, Prefix+"/policies/"+p.ID+"/compliance", "saved")
		return
	}
	preview, err := d.svc.Compliance.PreviewPolicyRules(r.Context(), v.Tenant, p.ID, rules)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	pg, err := d.compliancePage(r, p, rules, &preview)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, "compliance.html", "compliance.title", pg)
}

// compliancePage fills the form: a row for every rule, the chosen ones with their
// settings, each with the devices breaking it now and, after a preview, as entered.
func (d *Dashboard) compliancePage(r *http.Request, p mdm.WorkPolicy, chosen []compliance.RuleSetting, preview *compliance.Preview) (page, error) {
	v := viewerOf(r)
	saved, err := d.svc.Compliance.PolicyRules(r.Context(), v.Tenant, p.ID)
	if err != nil {
		return page{}, err
	}
	now, err := d.svc.Compliance.PreviewPolicyRules(r.Context(), v.Tenant, p.ID, saved)
	if err != nil {
		return page{}, err
	}
	out := compliancePage{Policy: p, Devices: now.Devices, Failing: now.Failing, Preview: preview}
	for _, rule := range compliance.Rules {
		row := ruleRow{RuleSetting: compliance.RuleSetting{Rule: rule, GraceDays: 7, Consequences: []compliance.Consequence{compliance.ConsequenceNotify}},
			Failing: now.PerRule[rule], Previewed: preview != nil}
		if i := slices.IndexFunc(chosen, func(s compliance.RuleSetting) bool { return s.Rule == rule }); i >= 0 {
			row.RuleSetting, row.On = chosen[i], true
		}
		if preview != nil {
			row.Preview = preview.PerRule[rule]
		}
		out.Rules = append(out.Rules, row)
	}
	return page{Data: out, Flash: flash(r)}, nil
}

// rulesFromForm reads the rules that are switched on; compliance.ValidateRuleSettings checks them.
func rulesFromForm(r *http.Request) []compliance.RuleSetting {
	var out []compliance.RuleSetting
	for _, rule := range compliance.Rules {
		name := string(rule)
		if r.PostFormValue(name+".on") != "on" {
			continue
		}
		s := compliance.RuleSetting{Rule: rule, MinVersion: strings.TrimSpace(r.PostFormValue(name + ".min_version")),
			Days: int(atoi(r.PostFormValue(name + ".days"))), GraceDays: int(atoi(r.PostFormValue(name + ".grace_days")))}
		for _, c := range r.PostForm[name+".consequences"] {
			s.Consequences = append(s.Consequences, compliance.Consequence(c))
		}
		out = append(out, s)
	}
	return out
}
