package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/workpolicy"
)

// AppSchemas looks up and checks the managed configuration of Android apps; the policy
// editor builds a form from an app's schema and checks what it makes with the rule that
// applies when the policy is sent.
type AppSchemas interface {
	// AppSchema returns the settings the app declares; mdm.ErrNotFound when Google Play
	// has no such app, mdm.ErrInvalid when the tenant has no Android enterprise.
	AppSchema(ctx context.Context, t mdm.Tenant, appID string) ([]workpolicy.ConfigProperty, error)
	CheckManagedConfig(ctx context.Context, t mdm.Tenant, appID string, config mdm.JSONObject) error
}

// The ways the editor shows an app's managed configuration.
const (
	modeJSON   = "json"   // a JSON text area: new rows, and apps without a known schema
	modeSchema = "schema" // fields made from the Android app's schema
	modeRows   = "rows"   // typed key/value rows for an iOS app
)

// appEditor is one app of the policy editor with its configuration's form.
type appEditor struct {
	mdm.AppAssignment
	Index  int
	Mode   string
	Fields []configField // modeSchema
	Rows   []workpolicy.ConfigRow
	Note   string // why the configuration is shown as JSON, if it could have been a form
	// Title is the app's name in its store, where the editor knows it.
	Title string
	// Error is why the app's configuration was refused, when it concerns no one field.
	Error *fieldMsg
}

// fieldMsg is a refusal shown next to what it refuses: a message of the catalogues with
// its data.
type fieldMsg struct {
	ID   string
	Data map[string]any
}

// fieldErrors are the refusals of an app's settings, by the setting's path below the
// app's prefix ("/server", "/aliases/0/address").
type fieldErrors map[string]*fieldMsg

// configField is one field made from a setting of an app's schema. A bundle has Fields;
// a bundle array has Items, the fields of each element and of one empty element more.
type configField struct {
	Name   string // of the form field; also its element ID
	Prop   workpolicy.ConfigProperty
	Value  string   // a set scalar value as text
	Chosen []string // a multiselect's chosen entries
	Fields []configField
	Items  []configItem
	Error  *fieldMsg
}

// configItem is one element of a bundle array; the form marks each with a field named
// Prefix + "/", so that the reader knows how many were shown.
type configItem struct {
	Prefix string
	Number int // counted from 1, for people
	Fields []configField
}

// blankRows is how many empty key/value rows follow an iOS app's rows.
const blankRows = 2

// appEditors returns the editor's app rows: each app's configuration as a form where its
// schema or its values allow it, as JSON otherwise.
func (d *Dashboard) appEditors(ctx context.Context, t mdm.Tenant, apps []mdm.AppAssignment) []appEditor {
	out := make([]appEditor, len(apps))
	for i, a := range apps {
		out[i] = d.appEditor(ctx, t, a, i)
	}
	return out
}

// appEditor returns the editor's row i for the app.
func (d *Dashboard) appEditor(ctx context.Context, t mdm.Tenant, a mdm.AppAssignment, i int) appEditor {
	e := appEditor{AppAssignment: a, Index: i, Mode: modeJSON}
	switch {
	case a.AppID == "":
	case d.svc.CapabilitiesOf(a.Platform).Has(mdm.AppConfigRows):
		if rows, ok := workpolicy.RowsOfConfig(a.ManagedConfig); ok {
			e.Mode, e.Rows = modeRows, append(rows, make([]workpolicy.ConfigRow, blankRows)...)
		}
	case d.cfg.Schemas != nil:
		d.schemaForm(ctx, t, &e)
	}
	return e
}

// schemaForm makes the fields of an Android app from its schema, filled with its
// configuration; it leaves the row as JSON, saying why, when there is no schema or the
// configuration does not fit it (a form would drop what it cannot show).
func (d *Dashboard) schemaForm(ctx context.Context, t mdm.Tenant, e *appEditor) {
	props, err := d.cfg.Schemas.AppSchema(ctx, t, e.AppID)
	switch {
	case errors.Is(err, mdm.ErrNotFound) || errors.Is(err, mdm.ErrInvalid):
		e.Note = err.Error()
		return
	case err != nil:
		d.cfg.Log.Warn("look up app schema", "app", e.AppID, "error", err)
		e.Note = "policy.schema_unavailable"
		return
	case len(props) == 0:
		return
	}
	if err := d.cfg.Schemas.CheckManagedConfig(ctx, t, e.AppID, e.ManagedConfig); err != nil {
		e.Note = err.Error()
		return
	}
	var values map[string]any
	dec := json.NewDecoder(strings.NewReader(string(e.ManagedConfig)))
	dec.UseNumber()
	if err := dec.Decode(&values); err != nil {
		e.Note = err.Error()
		return
	}
	e.Mode, e.Fields = modeSchema, fieldsOf(props, rowPrefix(e.Index), "", values, nil)
}

// rowPrefix is the prefix of the form fields of app row i's settings.
func rowPrefix(i int) string { return "cfg/" + strconv.Itoa(i) }

// fieldsOf makes the fields of the settings at path below prefix, filled from values,
// with the refusals errs names.
func fieldsOf(props []workpolicy.ConfigProperty, prefix, path string, values map[string]any, errs fieldErrors) []configField {
	out := make([]configField, len(props))
	for i, p := range props {
		at := path + "/" + p.Key
		f := configField{Name: prefix + at, Prop: p, Error: errs[at]}
		v := values[p.Key]
		switch p.Type {
		case workpolicy.ConfigBundle:
			nested, _ := v.(map[string]any)
			f.Fields = fieldsOf(p.Nested, prefix, at, nested, errs)
		case workpolicy.ConfigBundleArray:
			list, _ := v.([]any)
			for n := range len(list) + 1 {
				var elem map[string]any
				if n < len(list) {
					elem, _ = list[n].(map[string]any)
				}
				item := at + "/" + strconv.Itoa(n)
				f.Items = append(f.Items, configItem{Prefix: prefix + item, Number: n + 1, Fields: fieldsOf(p.Nested, prefix, item, elem, errs)})
			}
		case workpolicy.ConfigMultiselect:
			list, _ := v.([]any)
			for _, item := range list {
				f.Chosen = append(f.Chosen, fmt.Sprint(item))
			}
		default:
			if v != nil {
				f.Value = fmt.Sprint(v)
			}
		}
		out[i] = f
	}
	return out
}

// maxBundleItems bounds the elements of a bundle array that one form may send.
const maxBundleItems = 100

// readFields reads the fields of the settings at path below prefix. It returns the
// settings as typed values (a setting left empty is not set, a bundle or element with
// nothing set is left out) and as the form showed them, for showing them again; each
// field it refuses is named in errs with the reason.
func readFields(props []workpolicy.ConfigProperty, form url.Values, prefix, path string, errs fieldErrors) (typed, shown map[string]any) {
	typed, shown = map[string]any{}, map[string]any{}
	for _, p := range props {
		at := path + "/" + p.Key
		name := prefix + at
		text := form.Get(name)
		trimmed := strings.TrimSpace(text)
		if text != "" {
			shown[p.Key] = text
		}
		switch p.Type {
		case workpolicy.ConfigBundle:
			nested, nestedShown := readFields(p.Nested, form, prefix, at, errs)
			if len(nested) > 0 {
				typed[p.Key] = nested
			}
			shown[p.Key] = nestedShown
		case workpolicy.ConfigBundleArray:
			var list, listShown []any
			for n := 0; form.Has(name + "/" + strconv.Itoa(n) + "/"); n++ {
				if n == maxBundleItems {
					errs[at] = &fieldMsg{ID: "policy.error.elements", Data: map[string]any{"Max": maxBundleItems}}
					break
				}
				elem, elemShown := readFields(p.Nested, form, prefix, at+"/"+strconv.Itoa(n), errs)
				if len(elem) > 0 {
					list = append(list, elem)
				}
				listShown = append(listShown, elemShown)
			}
			// The empty element the form offers at the end comes back empty; the
			// form offers it again.
			for len(listShown) > 0 && blank(listShown[len(listShown)-1]) {
				listShown = listShown[:len(listShown)-1]
			}
			if len(list) > 0 {
				typed[p.Key] = list
			}
			shown[p.Key] = listShown
		case workpolicy.ConfigMultiselect:
			chosen := form[name]
			if len(chosen) == 0 {
				delete(shown, p.Key)
				continue
			}
			list := make([]any, len(chosen))
			for n, c := range chosen {
				if !offered(p, c) {
					errs[at] = &fieldMsg{ID: "policy.error.choice", Data: map[string]any{"Value": c}}
				}
				list[n] = c
			}
			typed[p.Key], shown[p.Key] = chosen, list
		case workpolicy.ConfigBool:
			switch trimmed {
			case "true", "false":
				typed[p.Key] = trimmed == "true"
			case "":
			default:
				errs[at] = &fieldMsg{ID: "policy.error.bool"}
			}
		case workpolicy.ConfigInteger:
			if trimmed == "" {
				continue
			}
			n, err := strconv.ParseInt(trimmed, 10, 64)
			if err != nil {
				errs[at] = &fieldMsg{ID: "policy.error.integer", Data: map[string]any{"Value": text}}
				continue
			}
			typed[p.Key] = n
		case workpolicy.ConfigChoice:
			if trimmed == "" {
				continue
			}
			if !offered(p, trimmed) {
				errs[at] = &fieldMsg{ID: "policy.error.choice", Data: map[string]any{"Value": text}}
				continue
			}
			typed[p.Key] = trimmed
		default:
			if trimmed != "" {
				typed[p.Key] = trimmed
			}
		}
	}
	return typed, shown
}

// offered reports whether the choice or multiselect offers the value.
func offered(p workpolicy.ConfigProperty, value string) bool {
	return slices.ContainsFunc(p.Entries, func(e workpolicy.ConfigEntry) bool { return e.Value == value })
}

// blank reports whether a shown value holds nothing the administrator typed or chose.
func blank(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case map[string]any:
		for _, nested := range v {
			if !blank(nested) {
				return false
			}
		}
		return true
	case []any:
		for _, nested := range v {
			if !blank(nested) {
				return false
			}
		}
		return true
	}
	return false
}

// postedRow is one app row of a posted editor: the fields every row has.
type postedRow struct {
	Platform, AppID, Install, Mode, JSON string
	Title                                string
}

// readRow reads the configuration of a posted app row, whose fields are numbered from,
// into the assignment it asks for and the row as the editor shows it again at index at.
// It reports false when something of the row was refused; the refusals are on the row.
func (d *Dashboard) readRow(ctx context.Context, t mdm.Tenant, form url.Values, from, at int, row postedRow) (mdm.AppAssignment, appEditor, bool) {
	a := mdm.AppAssignment{Platform: mdm.Platform(row.Platform), AppID: row.AppID, InstallType: mdm.InstallType(row.Install)}
	e := appEditor{AppAssignment: a, Index: at, Mode: row.Mode, Title: row.Title}
	switch row.Mode {
	case modeRows:
		prefix := fmt.Sprintf("ios/%d/", from)
		keys, types, values := form[prefix+"key"], form[prefix+"type"], form[prefix+"value"]
		if len(types) != len(keys) || len(values) != len(keys) {
			e.Mode, e.ManagedConfig, e.Error = modeJSON, mdm.EmptyJSONObject, &fieldMsg{ID: "policy.error.incomplete"}
			return a, e, false
		}
		e.Rows = make([]workpolicy.ConfigRow, 0, len(keys)+blankRows)
		for n := range keys {
			if keys[n] != "" || values[n] != "" {
				e.Rows = append(e.Rows, workpolicy.ConfigRow{Key: keys[n], Type: workpolicy.ConfigRowType(types[n]), Value: values[n]})
			}
		}
		cfg, err := workpolicy.ConfigFromRows(e.Rows)
		e.Rows = append(e.Rows, make([]workpolicy.ConfigRow, blankRows)...)
		if err != nil {
			e.Error = refused("policy.error.rows", err)
			return a, e, false
		}
		a.ManagedConfig = cfg
	case modeSchema:
		if d.cfg.Schemas == nil {
			e.Mode, e.ManagedConfig, e.Error = modeJSON, mdm.EmptyJSONObject, &fieldMsg{ID: "policy.schema_unavailable"}
			return a, e, false
		}
		props, err := d.cfg.Schemas.AppSchema(ctx, t, row.AppID)
		if err != nil {
			d.cfg.Log.Warn("look up app schema", "app", row.AppID, "error", err)
			e.Mode, e.ManagedConfig, e.Error = modeJSON, mdm.EmptyJSONObject, &fieldMsg{ID: "policy.schema_unavailable"}
			return a, e, false
		}
		errs := fieldErrors{}
		values, shown := readFields(props, form, rowPrefix(from), "", errs)
		e.Fields = fieldsOf(props, rowPrefix(at), "", shown, errs)
		if len(errs) > 0 {
			return a, e, false
		}
		b, err := json.Marshal(values)
		if err == nil {
			a.ManagedConfig, err = mdm.ParseJSONObject(b)
		}
		if err == nil {
			err = d.cfg.Schemas.CheckManagedConfig(ctx, t, row.AppID, a.ManagedConfig)
		}
		if err != nil {
			e.Error = refused("policy.error.config", err)
			return a, e, false
		}
	default:
		e.Mode, e.ManagedConfig = modeJSON, mdm.JSONObject(row.JSON)
		cfg, err := mdm.ParseJSONObject([]byte(row.JSON))
		if err != nil {
			e.Error = refused("policy.error.json", err)
			return a, e, false
		}
		a.ManagedConfig = cfg
	}
	e.AppAssignment.ManagedConfig = a.ManagedConfig
	return a, e, true
}

// refused is the message of a refusal whose reason the domain or the platform wrote:
// the reader's sentence, with that reason as its detail.
func refused(id string, err error) *fieldMsg {
	detail := err.Error()
	if _, after, ok := strings.Cut(detail, mdm.ErrInvalid.Error()+": "); ok {
		detail = after
	}
	return &fieldMsg{ID: id, Data: map[string]any{"Detail": detail}}
}
