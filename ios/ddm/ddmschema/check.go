package ddmschema

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reason says what is wrong at a key path.
type Reason string

// The reasons a check gives.
const (
	UnknownType        Reason = "unknown type"
	NotOnIOS           Reason = "not available on iOS"
	NotInUserEnrolment Reason = "not allowed in User Enrolment"
	Malformed          Reason = "not valid JSON"
	Missing            Reason = "required key missing"
	WrongType          Reason = "wrong type"
	NotAllowedValue    Reason = "value not allowed"
	UnknownKey         Reason = "unknown key"
)

// Problem is one thing wrong with a document, at a key path such as
// "InstallBehavior.License.Assignment" or "StatusItems[2].Name"; the empty path is the
// document itself.
type Problem struct {
	Path   string
	Reason Reason
	Detail string
}

// String reads "path: reason (detail)".
func (p Problem) String() string {
	s := string(p.Reason)
	if p.Path != "" {
		s = p.Path + ": " + s
	}
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}

// Error is what a check returns when a document does not pass: every problem found, in the
// order of the schema's keys.
type Error struct {
	// Subject is the declaration type, credential type or status item checked.
	Subject  string
	Problems []Problem
}

// Error names the subject and lists the problems.
func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return e.Subject + ": " + strings.Join(parts, "; ")
}

// maxProblems bounds an Error's list, so that a hostile document cannot make a huge one.
const maxProblems = 50

// Check checks the Payload (a JSON object) of a declaration of the type against Apple's
// schema for iOS, and against what User Enrolment allows when userEnrolment is set. It
// returns nil or an *Error naming each key path at fault.
func Check(declarationType string, payload []byte, userEnrolment bool) error {
	return checkDocument(declarations, declarationType, payload, userEnrolment)
}

// CheckCredential checks a credential document — the JSON an asset's Reference points to,
// such as a com.apple.credential.scep — as Check does a declaration's Payload.
func CheckCredential(credentialType string, doc []byte, userEnrolment bool) error {
	return checkDocument(credentials, credentialType, doc, userEnrolment)
}

// CheckStatusItem checks the value (JSON) of one status item as a device reports it.
func CheckStatusItem(name string, value []byte, userEnrolment bool) error {
	s, ok := statusItems[name]
	c := &checker{userEnrolment: userEnrolment}
	if !ok {
		c.add("", UnknownType, "Apple's schema has no status item of this name")
		return c.err(name)
	}
	if c.allowed("", s) {
		if v, err := decode(value); err != nil {
			c.add("", Malformed, err.Error())
		} else {
			c.value("", &s.Keys[0], v)
		}
	}
	return c.err(name)
}

// CheckDeclaration checks a whole declaration as a server serves it — Type, Identifier,
// ServerToken and Payload — and its Payload as Check does. Problems inside the Payload
// have paths that start with "Payload.".
func CheckDeclaration(doc []byte, userEnrolment bool) error {
	c := &checker{userEnrolment: userEnrolment}
	v, err := decode(doc)
	if err != nil {
		c.add("", Malformed, err.Error())
		return c.err("declaration")
	}
	c.value("", &key{Type: typeDictionary, Keys: envelope}, v)
	obj, _ := v.(map[string]any)
	typ, _ := obj["Type"].(string)
	if len(c.problems) > 0 {
		return c.err("declaration " + typ)
	}
	s, ok := declarations[typ]
	if !ok {
		c.add("Type", UnknownType, "Apple's schema has no declaration type "+strconv.Quote(typ))
	} else if c.allowed("Type", s) {
		c.value("Payload", &key{Type: typeDictionary, Keys: s.Keys, Other: s.Other}, obj["Payload"])
	}
	return c.err(typ)
}

// checkDocument looks the subject up in the table and checks the document against it.
func checkDocument(table map[string]*schema, subject string, doc []byte, userEnrolment bool) error {
	c := &checker{userEnrolment: userEnrolment}
	s, ok := table[subject]
	if !ok {
		c.add("", UnknownType, "Apple's schema has no type of this name")
		return c.err(subject)
	}
	if !c.allowed("", s) {
		return c.err(subject)
	}
	v, err := decode(doc)
	if err != nil {
		c.add("", Malformed, err.Error())
		return c.err(subject)
	}
	c.value("", &key{Type: typeDictionary, Keys: s.Keys, Other: s.Other}, v)
	return c.err(subject)
}

// decode reads one JSON value, keeping numbers as written so that an integer can be told
// from a real.
func decode(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("read JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("read JSON: more data after the value")
	}
	return v, nil
}

// checker collects the problems of one document.
type checker struct {
	userEnrolment bool
	problems      []Problem
}

func (c *checker) add(path string, r Reason, detail string) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, Problem{Path: path, Reason: r, Detail: detail})
	}
}

func (c *checker) err(subject string) error {
	if len(c.problems) == 0 {
		return nil
	}
	return &Error{Subject: subject, Problems: c.problems}
}

// allowed says whether iOS, and User Enrolment when asked for, take the item at all.
func (c *checker) allowed(path string, s *schema) bool {
	switch {
	case s.IOS.Introduced == "":
		c.add(path, NotOnIOS, "Apple's schema marks the "+s.Kind+" as not available on iOS")
	case c.userEnrolment && !s.IOS.UserEnrolment:
		c.add(path, NotInUserEnrolment, "Apple's schema leaves User Enrolment out of the "+s.Kind+"'s enrolment types")
	default:
		return true
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// value checks one value against its key and descends into arrays and dictionaries.
func (c *checker) value(path string, k *key, v any) {
	if !hasType(k.Type, v) {
		c.add(path, WrongType, fmt.Sprintf("want %s, got %s", k.Type, jsonKind(v)))
		return
	}
	switch k.Type {
	case typeString:
		if s := v.(string); len(k.Strings) > 0 && !slices.Contains(k.Strings, s) {
			c.add(path, NotAllowedValue, fmt.Sprintf("%q is not one of %s", s, strings.Join(k.Strings, ", ")))
		}
	case typeInteger, typeReal:
		c.number(path, k, v.(json.Number))
	case typeArray:
		c.array(path, k, v.([]any))
	case typeDictionary:
		c.object(path, k, v.(map[string]any))
	}
}

func (c *checker) number(path string, k *key, n json.Number) {
	f, _ := n.Float64()
	if len(k.Numbers) > 0 && !slices.Contains(k.Numbers, f) {
		allowed := make([]string, len(k.Numbers))
		for i, a := range k.Numbers {
			allowed[i] = strconv.FormatFloat(a, 'g', -1, 64)
		}
		c.add(path, NotAllowedValue, fmt.Sprintf("%s is not one of %s", n, strings.Join(allowed, ", ")))
	}
	if k.Min != nil && f < *k.Min {
		c.add(path, NotAllowedValue, fmt.Sprintf("%s is below the minimum %g", n, *k.Min))
	}
	if k.Max != nil && f > *k.Max {
		c.add(path, NotAllowedValue, fmt.Sprintf("%s is above the maximum %g", n, *k.Max))
	}
}

func (c *checker) array(path string, k *key, items []any) {
	if (k.MinItems > 0 && len(items) < k.MinItems) || (k.MaxItems > 0 && len(items) > k.MaxItems) {
		c.add(path, NotAllowedValue, fmt.Sprintf("%d elements, want %d to %d", len(items), k.MinItems, k.MaxItems))
	}
	if k.Items == nil {
		return
	}
	for i, item := range items {
		c.value(path+"["+strconv.Itoa(i)+"]", k.Items, item)
	}
}

// object checks a dictionary's named keys in the schema's order, then its other keys in
// the order of their names. An entry of a status list that reports a removal ("_removed":
// true) carries its identifier alone, so nothing else is missing from it.
func (c *checker) object(path string, k *key, obj map[string]any) {
	removed := obj["_removed"] == true && slices.ContainsFunc(k.Keys, func(s key) bool { return s.Name == "_removed" })
	for i := range k.Keys {
		sub := &k.Keys[i]
		p := join(path, sub.Name)
		v, present := obj[sub.Name]
		switch {
		case !present:
			if sub.Required && !removed && !sub.NotOnIOS && !(c.userEnrolment && sub.NotInUserEnrolment) {
				c.add(p, Missing, "")
			}
		case sub.NotOnIOS:
			c.add(p, NotOnIOS, "")
		case c.userEnrolment && sub.NotInUserEnrolment:
			c.add(p, NotInUserEnrolment, "")
		default:
			c.value(p, sub, v)
		}
	}
	var others []string
	for name := range obj {
		if !slices.ContainsFunc(k.Keys, func(s key) bool { return s.Name == name }) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		if k.Other == nil {
			c.add(join(path, name), UnknownKey, "")
			continue
		}
		c.value(join(path, name), k.Other, obj[name])
	}
}

// hasType says whether a decoded JSON value is of the type. Data is base64 in JSON, and a
// date an RFC 3339 string.
func hasType(t valueType, v any) bool {
	switch t {
	case typeString:
		_, ok := v.(string)
		return ok
	case typeInteger:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil
	case typeReal:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Float64()
		return err == nil
	case typeBoolean:
		_, ok := v.(bool)
		return ok
	case typeArray:
		_, ok := v.([]any)
		return ok
	case typeDictionary:
		_, ok := v.(map[string]any)
		return ok
	case typeData:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := base64.StdEncoding.DecodeString(s)
		return err == nil
	case typeDate:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := time.Parse(time.RFC3339, s)
		return err == nil
	}
	return true
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}
