package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlFile is the part of one of Apple's schema files the facts are made of.
type yamlFile struct {
	Payload struct {
		DeclarationType string                  `yaml:"declarationtype"`
		CredentialType  string                  `yaml:"credentialtype"`
		StatusItemType  string                  `yaml:"statusitemtype"`
		SupportedOS     map[string]yamlPlatform `yaml:"supportedOS"`
	} `yaml:"payload"`
	PayloadKeys []yamlKey `yaml:"payloadkeys"`
}

// yamlPlatform is one OS's entry of a supportedOS map. Older files say whether User
// Enrolment allows an item with userenrollment.mode, newer ones list allowed-enrollments.
type yamlPlatform struct {
	Introduced         string   `yaml:"introduced"`
	AllowedEnrollments []string `yaml:"allowed-enrollments"`
	UserEnrollment     *struct {
		Mode string `yaml:"mode"`
	} `yaml:"userenrollment"`
}

// yamlKey is one key of a payload, with its nested keys.
type yamlKey struct {
	Key         string                       `yaml:"key"`
	Type        string                       `yaml:"type"`
	Presence    string                       `yaml:"presence"`
	RangeList   []string                     `yaml:"rangelist"`
	Range       *struct{ Min, Max *float64 } `yaml:"range"`
	Repetition  *struct{ Min, Max *int }     `yaml:"repetition"`
	SupportedOS map[string]yamlPlatform      `yaml:"supportedOS"`
	SubKeys     []yamlKey                    `yaml:"subkeys"`
}

// facts is everything the generated file holds.
type facts struct {
	envelope     []key
	declarations []schema
	credentials  []schema
	statusItems  []schema
}

// schema is one declaration type, credential type or status item.
type schema struct {
	name string
	kind string
	ios  support
	keys []key
	// other describes keys beyond the named ones (Apple's "ANY"); nil when there are none.
	other *key
}

// support is whether iOS knows an item at all (introduced is empty when it does not) and
// whether User Enrolment allows it.
type support struct {
	introduced    string
	userEnrolment bool
}

// key is one key with what the checks need of it.
type key struct {
	name, typ          string
	required           bool
	notOnIOS, notInUE  bool
	strings            []string
	numbers            []float64
	min, max           *float64
	minItems, maxItems int
	keys               []key
	other, items       *key
}

// declarationKinds are the folders of declarations/ and the kind each one holds.
var declarationKinds = map[string]string{
	"configurations": "configuration", "assets": "asset", "activations": "activation", "management": "management",
}

// readAll reads the schema files under a checkout's declarative/ folder.
func readAll(dir string) (facts, error) {
	var f facts
	base, err := readFile(filepath.Join(dir, "declarations", "declarationbase.yaml"))
	if err != nil {
		return f, err
	}
	if f.envelope, err = convertKeys(base.PayloadKeys, "declarationbase"); err != nil {
		return f, err
	}
	for _, folder := range slices.Sorted(maps.Keys(declarationKinds)) {
		s, err := readFolder(filepath.Join(dir, "declarations", folder), declarationKinds[folder],
			func(y yamlFile) string { return y.Payload.DeclarationType })
		if err != nil {
			return f, err
		}
		f.declarations = append(f.declarations, s...)
	}
	if f.credentials, err = readFolder(filepath.Join(dir, "declarations", "assets", "credentials"), "credential",
		func(y yamlFile) string { return y.Payload.CredentialType }); err != nil {
		return f, err
	}
	// status/ also holds shared types such as the status reason, which have no
	// statusitemtype: they are not items a phone reports.
	if f.statusItems, err = readFolder(filepath.Join(dir, "status"), "status",
		func(y yamlFile) string { return y.Payload.StatusItemType }); err != nil {
		return f, err
	}
	for _, list := range [][]schema{f.declarations, f.credentials, f.statusItems} {
		slices.SortFunc(list, func(a, b schema) int { return strings.Compare(a.name, b.name) })
	}
	if len(f.declarations) == 0 || len(f.statusItems) == 0 {
		return f, fmt.Errorf("no declarations or status items under %s", dir)
	}
	return f, nil
}

// readFolder reads the YAML files of one folder (not its sub-folders); name says which
// field names the item, and a file without one is left out.
func readFolder(dir, kind string, name func(yamlFile) string) ([]schema, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []schema
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		y, err := readFile(path)
		if err != nil {
			return nil, err
		}
		if name(y) == "" {
			continue
		}
		s, err := convert(y, name(y), kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func readFile(path string) (yamlFile, error) {
	var y yamlFile
	b, err := os.ReadFile(path)
	if err != nil {
		return y, fmt.Errorf("read %s: %w", path, err)
	}
	if err := yaml.Unmarshal(b, &y); err != nil {
		return y, fmt.Errorf("parse %s: %w", path, err)
	}
	return y, nil
}

// convert turns one file into a schema. A status item's value is the payload key named
// like the item.
func convert(y yamlFile, name, kind string) (schema, error) {
	s := schema{name: name, kind: kind, ios: platformSupport(y.Payload.SupportedOS["iOS"])}
	keys, err := convertKeys(y.PayloadKeys, name)
	if err != nil {
		return s, err
	}
	if kind == "status" {
		i := slices.IndexFunc(keys, func(k key) bool { return k.name == name })
		if i < 0 {
			return s, fmt.Errorf("status item %s has no value key of its name", name)
		}
		keys = keys[i : i+1]
	}
	s.keys, s.other = splitAny(keys)
	return s, nil
}

// platformSupport reads iOS's entry of a supportedOS map; an item without one, or one
// marked "n/a", is not on iOS.
func platformSupport(p yamlPlatform) support {
	if p.Introduced == "" || p.Introduced == "n/a" {
		return support{}
	}
	return support{introduced: p.Introduced, userEnrolment: allowsUserEnrolment(p, true)}
}

// allowsUserEnrolment reads whether User Enrolment is allowed, inherit when the entry
// does not say.
func allowsUserEnrolment(p yamlPlatform, inherit bool) bool {
	switch {
	case p.AllowedEnrollments != nil:
		return slices.Contains(p.AllowedEnrollments, "user")
	case p.UserEnrollment != nil:
		return p.UserEnrollment.Mode != "forbidden"
	}
	return inherit
}

// splitAny separates Apple's "ANY" key, which stands for keys of any name, from the named
// ones.
func splitAny(keys []key) ([]key, *key) {
	i := slices.IndexFunc(keys, func(k key) bool { return k.name == "ANY" })
	if i < 0 {
		return keys, nil
	}
	other := keys[i]
	other.name, other.required = "", false
	return slices.Delete(slices.Clone(keys), i, i+1), &other
}

var types = map[string]string{
	"<string>": "typeString", "<integer>": "typeInteger", "<real>": "typeReal", "<boolean>": "typeBoolean",
	"<array>": "typeArray", "<dictionary>": "typeDictionary", "<data>": "typeData", "<date>": "typeDate", "<any>": "typeAny",
}

func convertKeys(in []yamlKey, path string) ([]key, error) {
	out := make([]key, 0, len(in))
	for _, y := range in {
		k, err := convertKey(y, path+"."+y.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func convertKey(y yamlKey, path string) (key, error) {
	typ, ok := types[y.Type]
	if !ok {
		return key{}, fmt.Errorf("%s: unknown type %q", path, y.Type)
	}
	k := key{name: y.Key, typ: typ, required: y.Presence == "required"}
	if p, ok := y.SupportedOS["iOS"]; ok {
		k.notOnIOS = p.Introduced == "n/a"
		k.notInUE = !allowsUserEnrolment(p, true)
	}
	if y.Range != nil {
		k.min, k.max = y.Range.Min, y.Range.Max
	}
	if err := k.setRangeList(y.RangeList, path); err != nil {
		return k, err
	}
	subkeys, err := convertKeys(y.SubKeys, path)
	if err != nil {
		return k, err
	}
	switch typ {
	case "typeDictionary":
		k.keys, k.other = splitAny(subkeys)
		if len(subkeys) == 0 {
			k.other = &key{typ: "typeAny"}
		}
	case "typeArray":
		if len(subkeys) > 0 {
			item := subkeys[0]
			item.name, item.required = "", false
			k.items = &item
			if r := y.SubKeys[0].Repetition; r != nil {
				k.minItems, k.maxItems = deref(r.Min), deref(r.Max)
			}
		}
	}
	return k, nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// setRangeList keeps the allowed values, as strings or numbers after the key's type.
func (k *key) setRangeList(values []string, path string) error {
	switch {
	case len(values) == 0:
	case k.typ == "typeString":
		k.strings = values
	case k.typ == "typeInteger" || k.typ == "typeReal":
		for _, v := range values {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s: allowed value %q is not a number", path, v)
			}
			k.numbers = append(k.numbers, n)
		}
	default:
		return fmt.Errorf("%s: allowed values for a key of type %s", path, k.typ)
	}
	return nil
}
