package workpolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm"
)

// ConfigType is the type of one setting of an app's managed configuration, as the app
// declares it (Android's managedProperties).
type ConfigType string

// The types of settings.
const (
	ConfigBool        ConfigType = "bool"
	ConfigString      ConfigType = "string"
	ConfigInteger     ConfigType = "integer"
	ConfigChoice      ConfigType = "choice"      // one of Entries
	ConfigMultiselect ConfigType = "multiselect" // some of Entries
	ConfigHidden      ConfigType = "hidden"      // a string the app's user does not see
	ConfigBundle      ConfigType = "bundle"      // an object of Nested settings
	ConfigBundleArray ConfigType = "bundle_array"
)

// ConfigProperty is one setting an app's managed configuration may hold. A bundle's
// Nested are its settings; a bundle array's Nested are the settings of each element.
type ConfigProperty struct {
	Key         string
	Type        ConfigType
	Title       string
	Description string
	Entries     []ConfigEntry
	Nested      []ConfigProperty
}

// ConfigEntry is one allowed value of a choice or multiselect, with its name for people.
type ConfigEntry struct {
	Value, Name string
}

// ConfigRow is one typed key and value of an iOS managed app configuration, as an editor
// shows it: the value as text, a list one element per line.
type ConfigRow struct {
	Key   string
	Type  ConfigRowType
	Value string
}

// ConfigRowType is the type of an iOS configuration value.
type ConfigRowType string

// The types an iOS managed app configuration value may have in the editor.
const (
	RowString  ConfigRowType = "string"
	RowInteger ConfigRowType = "integer"
	RowBoolean ConfigRowType = "boolean"
	RowList    ConfigRowType = "strings" // an array of strings
)

// ConfigRowTypes lists the row types in the order an editor offers them.
var ConfigRowTypes = []ConfigRowType{RowString, RowInteger, RowBoolean, RowList}

// MaxConfigKey bounds the length of a configuration key.
const MaxConfigKey = 255

// ConfigFromRows makes a managed configuration from typed rows: rows without a key are
// left out; a key appears once; keys and values are UTF-8; each value must be of its row's type (a whole number, true
// or false). The error names the row's key.
func ConfigFromRows(rows []ConfigRow) (mdm.JSONObject, error) {
	obj := map[string]any{}
	for _, r := range rows {
		key := strings.TrimSpace(r.Key)
		if key == "" {
			continue
		}
		if len(key) > MaxConfigKey {
			return "", fmt.Errorf("%w: a configuration key has at most %d characters", mdm.ErrInvalid, MaxConfigKey)
		}
		if !utf8.ValidString(key) || !utf8.ValidString(r.Value) {
			return "", fmt.Errorf("%w: configuration key %q: the text is not UTF-8", mdm.ErrInvalid, key)
		}
		if _, dup := obj[key]; dup {
			return "", fmt.Errorf("%w: configuration key %q appears twice", mdm.ErrInvalid, key)
		}
		v, err := rowValue(r.Type, r.Value)
		if err != nil {
			return "", fmt.Errorf("%w: configuration key %q: %w", mdm.ErrInvalid, key, err)
		}
		obj[key] = v
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("encode configuration: %w", err)
	}
	return mdm.ParseJSONObject(b)
}

func rowValue(t ConfigRowType, text string) (any, error) {
	switch t {
	case RowString:
		return text, nil
	case RowInteger:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", text)
		}
		return n, nil
	case RowBoolean:
		switch strings.TrimSpace(text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is neither true nor false", text)
	case RowList:
		items := []string{}
		for line := range strings.Lines(text) {
			if line = strings.TrimRight(line, "\r\n"); strings.TrimSpace(line) != "" {
				items = append(items, line)
			}
		}
		return items, nil
	}
	return nil, fmt.Errorf("type %q: use string, integer, boolean or strings", t)
}

// RowsOfConfig returns a managed configuration as typed rows, by key. It reports false
// when the configuration holds a value that rows cannot show (an object, a number with a
// fraction, a list of other than strings); such a configuration is edited as JSON.
func RowsOfConfig(c mdm.JSONObject) ([]ConfigRow, bool) {
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(string(c)))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, false
	}
	rows := make([]ConfigRow, 0, len(obj))
	for key, v := range obj {
		row := ConfigRow{Key: key}
		switch v := v.(type) {
		case string:
			row.Type, row.Value = RowString, v
		case bool:
			row.Type, row.Value = RowBoolean, strconv.FormatBool(v)
		case json.Number:
			if _, err := v.Int64(); err != nil {
				return nil, false
			}
			row.Type, row.Value = RowInteger, v.String()
		case []any:
			lines := make([]string, len(v))
			for i, item := range v {
				s, ok := item.(string)
				if !ok || strings.ContainsAny(s, "\r\n") || strings.TrimSpace(s) == "" {
					return nil, false
				}
				lines[i] = s
			}
			row.Type, row.Value = RowList, strings.Join(lines, "\n")
		default:
			return nil, false
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b ConfigRow) int { return strings.Compare(a.Key, b.Key) })
	return rows, true
}
