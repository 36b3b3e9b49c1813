package phonesim

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
)

// listItems are the status items whose value is a list of entries with an identifier:
// after the full report, only the entries that changed or went are reported.
var listItems = map[string]bool{"app.managed.list": true, "security.certificate.list": true}

// reportedState is what the phone's server has been told: each item's value (JSON), each
// list item's entries by identifier, and the items reported as errors.
type reportedState struct {
	values  map[string]string
	entries map[string]map[string]string
	errors  map[string]bool
}

// statusError is one entry of a status report's Errors.
type statusError struct {
	StatusItem string        `json:"StatusItem"`
	Reasons    []errorReason `json:"Reasons"`
}

// errorReason is a reason of a status report's Errors; unlike a declaration's reasons,
// its keys are capitalised.
type errorReason struct {
	Code        string `json:"Code"`
	Description string `json:"Description,omitempty"`
}

// notReported is the error of a status item the phone does not report, and why.
func notReported(name, why string) statusError {
	return statusError{StatusItem: name, Reasons: []errorReason{{Code: "Error.NotSupported", Description: why}}}
}

// statusReport is the JSON a phone sends to the status endpoint.
type statusReport struct {
	StatusItems map[string]any `json:"StatusItems"`
	Errors      []statusError  `json:"Errors"`
	FullReport  bool           `json:"FullReport"`
}

// sendStatus reports the status items that changed since the last report — all of them
// the first time — and returns how many messages it sent (none when nothing changed).
func (p *Phone) sendStatus(ctx context.Context) (int, error) {
	d := &p.ddm
	values, failed := p.statusValues()
	full := d.reported.values == nil
	report, next := d.reported.changes(values, failed, full)
	if len(report.StatusItems) == 0 && len(report.Errors) == 0 {
		return 0, nil
	}
	body, err := json.Marshal(report)
	if err != nil {
		return 0, fmt.Errorf("DDM status: %w", err)
	}
	if _, err := p.ddmCheckIn(ctx, "status", body); err != nil {
		return 1, err
	}
	d.reported = next
	d.counters.StatusReports++
	return 1, nil
}

// statusValues returns the values of the items the phone reports — the subscribed ones
// and, always, its capabilities (Apple's implicit subscription) and the state of its
// declarations — and the errors of those it cannot report.
func (p *Phone) statusValues() (map[string]any, []statusError) {
	d := &p.ddm
	values := map[string]any{"management.declarations": d.declarationsStatus(), "management.client-capabilities": p.capabilities()}
	var failed []statusError
	for _, name := range d.subscribed {
		if _, implicit := values[name]; implicit {
			continue
		}
		if !ddmschema.StatusItemAllowed(name, true) {
			failed = append(failed, notReported(name, "iOS does not report this status item on a User Enrolment"))
			continue
		}
		v, ok := p.statusValue(name)
		if !ok {
			failed = append(failed, notReported(name, "the simulated phone does not report this status item"))
			continue
		}
		values[name] = v
	}
	return values, failed
}

// statusValue is the value of one status item the simulated phone knows.
func (p *Phone) statusValue(name string) (any, bool) {
	d := &p.ddm
	switch name {
	case "device.operating-system.version":
		return p.cfg.OSVersion, true
	case "device.operating-system.family":
		return "iOS", true
	case "device.model.family":
		return "iPhone", true
	case "passcode.is-present":
		return true, true
	case "passcode.is-compliant":
		return !p.passcodeNotCompliant, true
	case "app.managed.list":
		list := []any{}
		for _, id := range slices.Sorted(maps.Keys(d.apps)) {
			a := d.apps[id]
			list = append(list, map[string]any{"identifier": id, "declaration-identifier": a.declaration,
				"version": a.version, "short-version": a.version, "state": "managed"})
		}
		return list, true
	case "security.certificate.list":
		return p.heldCertificates(), true
	}
	return nil, false
}

// declarationsStatus is the value of management.declarations: each declaration held, by
// kind, with its server token, whether it is active and valid, and its reasons.
func (d *declarative) declarationsStatus() map[string]any {
	out := map[string]any{}
	for _, kind := range declarationKinds {
		out[pluralKind(kind)] = []any{}
	}
	for _, r := range d.sortedRefs() {
		h := d.held[r]
		valid := "invalid"
		if h.valid {
			valid = "valid"
		}
		e := map[string]any{"identifier": r.identifier, "server-token": h.serverToken, "active": h.active, "valid": valid}
		if len(h.reasons) > 0 {
			e["reasons"] = h.reasons
		}
		out[pluralKind(r.kind)] = append(out[pluralKind(r.kind)].([]any), e)
	}
	return out
}

func pluralKind(kind string) string {
	if kind == "management" {
		return kind
	}
	return kind + "s"
}

// capabilities is the value of management.client-capabilities: the declaration types
// and status items the phone's iOS takes on a User Enrolment.
func (p *Phone) capabilities() map[string]any {
	decls := map[string]any{}
	for _, kind := range declarationKinds {
		decls[pluralKind(kind)] = []string{}
	}
	for _, typ := range ddmschema.DeclarationTypes(true) {
		if info, _ := ddmschema.Describe(typ); versionAtLeast(p.cfg.OSVersion, info.IOSIntroduced) {
			decls[pluralKind(info.Kind)] = append(decls[pluralKind(info.Kind)].([]string), typ)
		}
	}
	return map[string]any{"supported-versions": []string{"1.0"}, "supported-features": map[string]any{},
		"supported-payloads": map[string]any{"declarations": decls, "status-items": ddmschema.StatusItems(true)}}
}

// changes returns the report to send — every value when full, else the values that
// changed, and of list items only the entries that changed or went — and the state to
// keep once it has been sent.
func (s reportedState) changes(values map[string]any, failed []statusError, full bool) (statusReport, reportedState) {
	next := reportedState{values: map[string]string{}, entries: map[string]map[string]string{}, errors: map[string]bool{}}
	report := statusReport{StatusItems: map[string]any{}, Errors: []statusError{}, FullReport: full}
	for _, name := range slices.Sorted(maps.Keys(values)) {
		v := values[name]
		enc, _ := json.Marshal(v)
		next.values[name] = string(enc)
		_, seen := s.values[name]
		if !listItems[name] {
			if full || !seen || s.values[name] != string(enc) {
				nest(report.StatusItems, name, v)
			}
			continue
		}
		list, _ := v.([]any)
		changed, entries := changedEntries(s.entries[name], list)
		next.entries[name] = entries
		if full || !seen {
			nest(report.StatusItems, name, list)
		} else if len(changed) > 0 {
			nest(report.StatusItems, name, changed)
		}
	}
	for _, e := range failed {
		next.errors[e.StatusItem] = true
		if full || !s.errors[e.StatusItem] {
			report.Errors = append(report.Errors, e)
		}
	}
	return report, next
}

// changedEntries compares a list item's entries with those reported before, by
// identifier: it returns the new or changed entries, a removal for each one gone, and the
// entries to remember.
func changedEntries(before map[string]string, list []any) ([]any, map[string]string) {
	now := make(map[string]string, len(list))
	var changed []any
	for _, e := range list {
		m, _ := e.(map[string]any)
		id, _ := m["identifier"].(string)
		enc, _ := json.Marshal(m)
		now[id] = string(enc)
		if before[id] != string(enc) {
			changed = append(changed, m)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(before)) {
		if _, ok := now[id]; !ok {
			changed = append(changed, map[string]any{"identifier": id, "_removed": true})
		}
	}
	return changed, now
}

// nest puts a status item's value into StatusItems by its dotted name:
// "passcode.is-compliant" becomes {"passcode": {"is-compliant": …}}.
func nest(items map[string]any, name string, v any) {
	parts := strings.Split(name, ".")
	m := items
	for _, part := range parts[:len(parts)-1] {
		sub, ok := m[part].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[part] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}
