package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/trennwand/trennwand/mdm/directory"
)

// PatchOp is one operation of a PATCH request (RFC 7644, section 3.5.2) on a User.
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// maxOps bounds the operations of one request.
const maxOps = 100

// ParsePatch reads a PATCH body: the PatchOp schema and 1 to 100 operations add,
// replace or remove (in any case, as Entra ID writes them) on the attributes a User of
// this endpoint has: active, userName, displayName, name.formatted, emails.
func ParsePatch(body []byte) ([]PatchOp, error) {
	var req struct {
		Schemas    []string  `json:"schemas"`
		Operations []PatchOp `json:"Operations"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil || dec.More() {
		return nil, badRequest("invalidSyntax", "the body is not a SCIM PatchOp")
	}
	if !slices.Contains(req.Schemas, schemaPatch) {
		return nil, badRequest("invalidSyntax", "the body must name the schema %s", schemaPatch)
	}
	if len(req.Operations) == 0 || len(req.Operations) > maxOps {
		return nil, badRequest("invalidValue", "a PATCH carries 1 to %d operations", maxOps)
	}
	for i, op := range req.Operations {
		op.Op = strings.ToLower(op.Op)
		if op.Op != "add" && op.Op != "replace" && op.Op != "remove" {
			return nil, badRequest("invalidSyntax", "operation %d: op must be add, replace or remove", i+1)
		}
		if op.Op != "remove" && len(op.Value) == 0 {
			return nil, badRequest("invalidValue", "operation %d: %s needs a value", i+1, op.Op)
		}
		if op.Path == "" && op.Op == "remove" {
			return nil, badRequest("noTarget", "operation %d: remove needs a path", i+1)
		}
		req.Operations[i] = op
	}
	return req.Operations, nil
}

// ApplyPatch returns the entry as the operations, in order, change it.
func ApplyPatch(e directory.Entry, ops []PatchOp) (directory.Entry, error) {
	for _, op := range ops {
		if err := op.apply(&e); err != nil {
			return e, err
		}
	}
	return e, nil
}

// apply changes the entry as the operation says.
func (op PatchOp) apply(e *directory.Entry) error {
	if op.Path == "" {
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(op.Value, &attrs); err != nil {
			return badRequest("invalidValue", "an operation without a path needs an object of attributes")
		}
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			if err := (PatchOp{Op: op.Op, Path: k, Value: attrs[k]}).apply(e); err != nil {
				return err
			}
		}
		return nil
	}
	path := strings.ToLower(op.Path)
	if op.Op == "remove" {
		switch path {
		case "displayname", "name.formatted", "name":
			e.Name = ""
			return nil
		}
		return badRequest("mutability", "%s cannot be removed", op.Path)
	}
	switch path {
	case "active":
		var b flexBool
		if err := json.Unmarshal(op.Value, &b); err != nil {
			return asBadValue(err, "active must be true or false")
		}
		e.Enabled = bool(b)
	case "username":
		return stringValue(op.Value, &e.UserName, "userName")
	case "displayname", "name.formatted":
		return stringValue(op.Value, &e.Name, op.Path)
	case "name":
		var n struct {
			Formatted string `json:"formatted"`
		}
		if err := json.Unmarshal(op.Value, &n); err != nil {
			return badRequest("invalidValue", "name must be an object")
		}
		e.Name = n.Formatted
	case `emails[type eq "work"].value`, "emails.value":
		return stringValue(op.Value, &e.Email, op.Path)
	case "emails":
		var ms []struct {
			Value   string `json:"value"`
			Primary bool   `json:"primary"`
		}
		if err := json.Unmarshal(op.Value, &ms); err != nil || len(ms) == 0 {
			return badRequest("invalidValue", "emails must be a list of addresses")
		}
		e.Email = ms[0].Value
		for _, m := range ms {
			if m.Primary {
				e.Email = m.Value
			}
		}
	case "externalid", "title", "preferredlanguage", "locale", "timezone", "nickname", "usertype", "name.givenname", "name.familyname":
		// Kept by the identity provider, not by this endpoint.
	default:
		return badRequest("invalidPath", "the attribute %q cannot be changed here", op.Path)
	}
	return nil
}

func stringValue(raw json.RawMessage, dst *string, name string) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		return badRequest("invalidValue", "%s must be a string", name)
	}
	return nil
}

func asBadValue(err error, detail string) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return badRequest("invalidValue", "%s", detail)
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
