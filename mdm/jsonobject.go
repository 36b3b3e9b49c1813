package mdm

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSONObject is a JSON object kept in its compact text form, for managed app
// configuration, command payloads and audit details. Values are made with ParseJSONObject,
// so a JSONObject is always a well-formed object within the size and depth limits.
type JSONObject string

// EmptyJSONObject is the object without members.
const EmptyJSONObject JSONObject = "{}"

// Limits for JSON objects from outside: enough for any real app configuration, small
// enough that a hostile request cannot make the server work hard.
const (
	MaxJSONObjectBytes = 64 << 10
	MaxJSONDepth       = 16
)

// ParseJSONObject validates raw as one JSON object and returns its compact form. Empty
// input means the empty object.
func ParseJSONObject(raw []byte) (JSONObject, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return EmptyJSONObject, nil
	}
	if len(raw) > MaxJSONObjectBytes {
		return "", fmt.Errorf("%w: JSON object is %d bytes, more than the %d allowed", ErrInvalid, len(raw), MaxJSONObjectBytes)
	}
	if raw[0] != '{' {
		return "", fmt.Errorf("%w: expected a JSON object ({…})", ErrInvalid)
	}
	if err := checkJSON(raw); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return JSONObject(buf.String()), nil
}

// checkJSON reads exactly one JSON value from raw, refusing nesting deeper than
// MaxJSONDepth, duplicate keys (which different readers resolve differently) and trailing
// data.
func checkJSON(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := checkJSONValue(dec, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object")
	}
	return nil
}

func checkJSONValue(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	if n, ok := tok.(json.Number); ok {
		if _, err := n.Float64(); err != nil {
			return fmt.Errorf("number %.20s is out of range", n)
		}
		return nil
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxJSONDepth {
		return fmt.Errorf("JSON nested deeper than %d levels", MaxJSONDepth)
	}
	seen := map[string]bool{}
	for dec.More() {
		if delim == '{' {
			tok, err := dec.Token()
			if err != nil {
				return fmt.Errorf("malformed JSON: %v", err)
			}
			key, _ := tok.(string)
			if seen[key] {
				return fmt.Errorf("duplicate key %q", key)
			}
			seen[key] = true
		}
		if err := checkJSONValue(dec, depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	return nil
}

// Value stores the object as text.
func (o JSONObject) Value() (driver.Value, error) {
	if o == "" {
		return string(EmptyJSONObject), nil
	}
	return string(o), nil
}

// Scan reads the object from its stored text.
func (o *JSONObject) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*o = JSONObject(v)
	case []byte:
		*o = JSONObject(v)
	case nil:
		*o = EmptyJSONObject
	default:
		return fmt.Errorf("scan JSON object from %T", src)
	}
	return nil
}

// MarshalJSON writes the object as it is, not as a JSON string.
func (o JSONObject) MarshalJSON() ([]byte, error) {
	if o == "" {
		return []byte(EmptyJSONObject), nil
	}
	return []byte(o), nil
}
