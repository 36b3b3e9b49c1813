package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm/compliance"
)

// ruleJSON is one compliance rule of a work policy, in requests and answers.
type ruleJSON struct {
	Rule         string   `json:"rule"`
	MinVersion   string   `json:"min_version,omitempty"`
	Days         int      `json:"days,omitempty"`
	GraceDays    int      `json:"grace_days"`
	Consequences []string `json:"consequences"`
}

// rulesBody is the body of PUT /policies/{id}/compliance and its preview.
type rulesBody struct {
	Rules []ruleJSON `json:"rules"`
}

// settings turns the body into rule settings; compliance.ValidateRuleSettings checks them.
func (b rulesBody) settings() []compliance.RuleSetting {
	out := make([]compliance.RuleSetting, len(b.Rules))
	for i, r := range b.Rules {
		cs := make([]compliance.Consequence, len(r.Consequences))
		for j, c := range r.Consequences {
			cs[j] = compliance.Consequence(c)
		}
		out[i] = compliance.RuleSetting{Rule: compliance.Rule(r.Rule), MinVersion: r.MinVersion, Days: r.Days, GraceDays: r.GraceDays, Consequences: cs}
	}
	return out
}

func rulesOut(rs []compliance.RuleSetting) map[string]any {
	out := make([]ruleJSON, len(rs))
	for i, r := range rs {
		cs := make([]string, len(r.Consequences))
		for j, c := range r.Consequences {
			cs[j] = string(c)
		}
		out[i] = ruleJSON{Rule: string(r.Rule), MinVersion: r.MinVersion, Days: r.Days, GraceDays: r.GraceDays, Consequences: cs}
	}
	return map[string]any{"rules": out}
}

func (a *apiV1) getPolicyRules(c echo.Context, k call) error {
	rs, err := a.svc.Compliance.PolicyRules(c.Request().Context(), k.tenant, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rulesOut(rs))
}

func (a *apiV1) setPolicyRules(c echo.Context, k call) error {
	var body rulesBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	rs := body.settings()
	if err := a.svc.Compliance.SetPolicyRules(c.Request().Context(), k.who.Actor, k.tenant, c.Param("id"), rs); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rulesOut(rs))
}

func (a *apiV1) previewPolicyRules(c echo.Context, k call) error {
	var body rulesBody
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	p, err := a.svc.Compliance.PreviewPolicyRules(c.Request().Context(), k.tenant, c.Param("id"), body.settings())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"devices": p.Devices, "failing": p.Failing, "per_rule": p.PerRule})
}

// ruleStatusJSON is one rule's verdict on a device.
type ruleStatusJSON struct {
	Rule    string     `json:"rule"`
	Finding string     `json:"finding"`
	Reason  string     `json:"reason"`
	Remedy  string     `json:"remedy,omitempty"`
	Since   *time.Time `json:"since,omitempty"`
	DueAt   *time.Time `json:"due_at,omitempty"`
	Acted   string     `json:"acted,omitempty"`
}

type complianceChangeJSON struct {
	Rule    string    `json:"rule"`
	At      time.Time `json:"at"`
	Finding string    `json:"finding"`
	Reason  string    `json:"reason"`
}

func (a *apiV1) getDeviceCompliance(c echo.Context, k call) error {
	dc, err := a.svc.Compliance.Of(c.Request().Context(), k.tenant.ID, c.Param("id"))
	if err != nil {
		return err
	}
	rules := make([]ruleStatusJSON, len(dc.Rules))
	for i, r := range dc.Rules {
		rules[i] = ruleStatusJSON{Rule: string(r.Rule), Finding: string(r.Finding), Reason: r.Reason, Remedy: r.Remedy}
		if f := r.Failure; f != nil {
			rules[i].Since, rules[i].DueAt, rules[i].Acted = &f.Since, &f.DueAt, f.Acted
		}
	}
	history := mapSlice(dc.History, func(h compliance.Change) complianceChangeJSON {
		return complianceChangeJSON{Rule: string(h.Rule), At: h.At, Finding: string(h.Finding), Reason: h.Reason}
	})
	return c.JSON(http.StatusOK, map[string]any{"rules": rules, "history": history})
}
