package android

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// checkManagedConfig checks a managed configuration (a JSON object) against the app's
// managed properties: every key must be one of the app's, with a value of the property's
// type; a choice must be one of its entries. The error names the app and the key.
func checkManagedConfig(app string, config []byte, props []*amapi.ManagedProperty) error {
	dec := json.NewDecoder(bytes.NewReader(config))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("%w: managed configuration of %s is not a JSON object", mdm.ErrInvalid, app)
	}
	if err := checkObject(obj, props, ""); err != nil {
		return fmt.Errorf("%w: managed configuration of %s: %w", mdm.ErrInvalid, app, err)
	}
	return nil
}

func checkObject(obj map[string]any, props []*amapi.ManagedProperty, prefix string) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first wrong key named is always the same
	for _, key := range keys {
		i := slices.IndexFunc(props, func(p *amapi.ManagedProperty) bool { return p.Key == key })
		if i < 0 {
			return fmt.Errorf("key %q is not a setting of the app", prefix+key)
		}
		if err := checkValue(obj[key], props[i], prefix+key); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(v any, prop *amapi.ManagedProperty, path string) error {
	wrongType := fmt.Errorf("key %q must be %s", path, typeNames[prop.Type])
	switch prop.Type {
	case "BOOL":
		if _, ok := v.(bool); !ok {
			return wrongType
		}
	case "STRING", "HIDDEN":
		if _, ok := v.(string); !ok {
			return wrongType
		}
	case "INTEGER":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return wrongType
		}
	case "CHOICE":
		s, ok := v.(string)
		if !ok || !isEntry(s, prop.Entries) {
			return fmt.Errorf("key %q must be one of %v", path, entryValues(prop.Entries))
		}
	case "MULTISELECT":
		list, ok := v.([]any)
		if !ok {
			return wrongType
		}
		for _, item := range list {
			if s, ok := item.(string); !ok || !isEntry(s, prop.Entries) {
				return fmt.Errorf("key %q may hold only %v", path, entryValues(prop.Entries))
			}
		}
	case "BUNDLE":
		obj, ok := v.(map[string]any)
		if !ok {
			return wrongType
		}
		return checkObject(obj, prop.NestedProperties, path+".")
	case "BUNDLE_ARRAY":
		return checkBundleArray(v, prop, path)
	default:
		return fmt.Errorf("key %q has a type (%q) that trennwand cannot check", path, prop.Type)
	}
	return nil
}

// checkBundleArray checks a list of objects; the property's one nested bundle describes
// each of them.
func checkBundleArray(v any, prop *amapi.ManagedProperty, path string) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("key %q must be %s", path, typeNames[prop.Type])
	}
	var item []*amapi.ManagedProperty
	if len(prop.NestedProperties) == 1 && prop.NestedProperties[0].Type == "BUNDLE" {
		item = prop.NestedProperties[0].NestedProperties
	}
	for i, elem := range list {
		obj, ok := elem.(map[string]any)
		if !ok {
			return fmt.Errorf("key %q[%d] must be an object", path, i)
		}
		if err := checkObject(obj, item, fmt.Sprintf("%s[%d].", path, i)); err != nil {
			return err
		}
	}
	return nil
}

var typeNames = map[string]string{
	"BOOL": "true or false", "STRING": "a string", "HIDDEN": "a string", "INTEGER": "a whole number",
	"MULTISELECT": "a list of strings", "BUNDLE": "an object", "BUNDLE_ARRAY": "a list of objects",
}

func isEntry(s string, entries []*amapi.ManagedPropertyEntry) bool {
	return slices.ContainsFunc(entries, func(e *amapi.ManagedPropertyEntry) bool { return e.Value == s })
}

func entryValues(entries []*amapi.ManagedPropertyEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Value
	}
	return out
}
