package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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
}

// configField is one field made from a setting of an app's schema. A bundle has Fields;
// a bundle array has Items, the fields of each element and of one empty element more.
type configField struct {
	Name   string // of the form field; also its element ID
	Prop   workpolicy.ConfigProperty
	Value  string   // a set scalar value as text
	Chosen []string // a multiselect's chosen entries
	Fields []configField
	Items  []configItem
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
		out[i] = e
	}
	return out
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
	e.Mode, e.Fields = modeSchema, fieldsOf(props, fmt.Sprintf("cfg/%d", e.Index), values)
}

// fieldsOf makes the fields of the settings under prefix, filled from values.
func fieldsOf(props []workpolicy.ConfigProperty, prefix string, values map[string]any) []configField {
	out := make([]configField, len(props))
	for i, p := range props {
		f := configField{Name: prefix + "/" + p.Key, Prop: p}
		v := values[p.Key]
		switch p.Type {
		case workpolicy.ConfigBundle:
			nested, _ := v.(map[string]any)
			f.Fields = fieldsOf(p.Nested, f.Name, nested)
		case workpolicy.ConfigBundleArray:
			list, _ := v.([]any)
			for n := range len(list) + 1 {
				var elem map[string]any
				if n < len(list) {
					elem, _ = list[n].(map[string]any)
				}
				prefix := f.Name + "/" + strconv.Itoa(n)
				f.Items = append(f.Items, configItem{Prefix: prefix, Number: n + 1, Fields: fieldsOf(p.Nested, prefix, elem)})
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

// configFromForm reads the configuration of app row i in its mode.
func (d *Dashboard) configFromForm(ctx context.Context, t mdm.Tenant, form url.Values, i int, mode, appID, jsonText string) (mdm.JSONObject, error) {
	switch mode {
	case modeRows:
		prefix := fmt.Sprintf("ios/%d/", i)
		keys, types, values := form[prefix+"key"], form[prefix+"type"], form[prefix+"value"]
		if len(types) != len(keys) || len(values) != len(keys) {
			return "", fmt.Errorf("%w: the configuration rows of %s are incomplete", mdm.ErrInvalid, appID)
		}
		rows := make([]workpolicy.ConfigRow, len(keys))
		for n := range keys {
			rows[n] = workpolicy.ConfigRow{Key: keys[n], Type: workpolicy.ConfigRowType(types[n]), Value: values[n]}
		}
		return workpolicy.ConfigFromRows(rows)
	case modeSchema:
		if d.cfg.Schemas == nil {
			return "", fmt.Errorf("%w: Android is not switched on for the installation", mdm.ErrInvalid)
		}
		props, err := d.cfg.Schemas.AppSchema(ctx, t, appID)
		if err != nil {
			return "", fmt.Errorf("schema of %s: %w", appID, err)
		}
		values, err := readFields(props, fmt.Sprintf("cfg/%d", i), form)
		if err != nil {
			return "", fmt.Errorf("%w: managed configuration of %s: %w", mdm.ErrInvalid, appID, err)
		}
		b, err := json.Marshal(values)
		if err != nil {
			return "", fmt.Errorf("encode managed configuration of %s: %w", appID, err)
		}
		cfg, err := mdm.ParseJSONObject(b)
		if err != nil {
			return "", err
		}
		return cfg, d.cfg.Schemas.CheckManagedConfig(ctx, t, appID, cfg)
	}
	return mdm.ParseJSONObject([]byte(jsonText))
}

// maxBundleItems bounds the elements of a bundle array that one form may send.
const maxBundleItems = 100

// readFields reads the fields of the settings under prefix; a setting left empty is not
// set, and a bundle or element with nothing set is left out.
func readFields(props []workpolicy.ConfigProperty, prefix string, form url.Values) (map[string]any, error) {
	out := map[string]any{}
	for _, p := range props {
		name := prefix + "/" + p.Key
		text := strings.TrimSpace(form.Get(name))
		switch p.Type {
		case workpolicy.ConfigBundle:
			nested, err := readFields(p.Nested, name, form)
			if err != nil {
				return nil, err
			}
			if len(nested) > 0 {
				out[p.Key] = nested
			}
		case workpolicy.ConfigBundleArray:
			var list []any
			for n := 0; form.Has(name + "/" + strconv.Itoa(n) + "/"); n++ {
				if n == maxBundleItems {
					return nil, fmt.Errorf("%q has more than %d elements", p.Key, maxBundleItems)
				}
				elem, err := readFields(p.Nested, name+"/"+strconv.Itoa(n), form)
				if err != nil {
					return nil, err
				}
				if len(elem) > 0 {
					list = append(list, elem)
				}
			}
			if len(list) > 0 {
				out[p.Key] = list
			}
		case workpolicy.ConfigMultiselect:
			if chosen := form[name]; len(chosen) > 0 {
				out[p.Key] = chosen
			}
		case workpolicy.ConfigBool:
			switch text {
			case "true", "false":
				out[p.Key] = text == "true"
			case "":
			default:
				return nil, fmt.Errorf("%q must be true or false", p.Key)
			}
		case workpolicy.ConfigInteger:
			if text == "" {
				continue
			}
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q must be a whole number, not %q", p.Key, text)
			}
			out[p.Key] = n
		default:
			if text != "" {
				out[p.Key] = text
			}
		}
	}
	return out, nil
}
