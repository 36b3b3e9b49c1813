package mdm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseJSONObject(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	cases := []struct {
		name    string
		in      string
		want    JSONObject
		wantErr string
	}{
		{"empty input is the empty object", "", "{}", ""},
		{"whitespace only is the empty object", " \n\t", "{}", ""},
		{"object is compacted", "{ \"server\" : \"mail.example.org\",\n \"port\": 993 }", `{"server":"mail.example.org","port":993}`, ""},
		{"nested values are kept", `{"a":[1,{"b":null}],"c":true}`, `{"a":[1,{"b":null}],"c":true}`, ""},
		{"big numbers are kept exactly", `{"n":12345678901234567890}`, `{"n":12345678901234567890}`, ""},
		{"number beyond float64 is refused", `{"n":1e400}`, "", "out of range"},
		{"array is refused", `[1,2]`, "", "expected a JSON object"},
		{"string is refused", `"x"`, "", "expected a JSON object"},
		{"malformed object is refused", `{"a":}`, "", "malformed JSON"},
		{"unterminated object is refused", `{"a":1`, "", "malformed JSON"},
		{"trailing data is refused", `{"a":1} {"b":2}`, "", "data after"},
		{"duplicate key is refused", `{"a":1,"a":2}`, "", `duplicate key "a"`},
		{"duplicate key deep inside is refused", `{"x":{"a":1,"a":2}}`, "", `duplicate key "a"`},
		{"same key in sibling objects is fine", `{"x":{"a":1},"y":{"a":2}}`, `{"x":{"a":1},"y":{"a":2}}`, ""},
		{"nesting at the limit is fine", deep(MaxJSONDepth), JSONObject(deep(MaxJSONDepth)), ""},
		{"nesting past the limit is refused", deep(MaxJSONDepth + 1), "", "nested deeper"},
		{"oversized object is refused", `{"a":"` + strings.Repeat("x", MaxJSONObjectBytes) + `"}`, "", "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseJSONObject([]byte(c.in))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParseJSONObject(%.40q) = %q, %v; want ErrInvalid containing %q", c.in, got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseJSONObject(%.40q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestJSONObjectMarshalsAsObject(t *testing.T) {
	b, err := json.Marshal(struct {
		Config JSONObject `json:"config"`
		Empty  JSONObject `json:"empty"`
	}{Config: `{"a":1}`})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"config":{"a":1},"empty":{}}` {
		t.Fatalf("got %s", b)
	}
}

// FuzzParseJSONObject feeds managed configurations as they come from outside. Whatever
// the input, parsing must not panic, and what it accepts must be a JSON object that
// parses again to itself.
func FuzzParseJSONObject(f *testing.F) {
	for _, seed := range []string{"", "{}", `{"a":[1,2,{"b":"c"}]}`, `{"a":1,"a":2}`, `[]`, `{"a":`, `{"\u00e4":1e400}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		obj, err := ParseJSONObject(raw)
		if err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(obj), &m); err != nil {
			t.Fatalf("accepted %q but it is not a JSON object: %v", raw, err)
		}
		again, err := ParseJSONObject([]byte(obj))
		if err != nil || again != obj {
			t.Fatalf("not stable: %q -> %q -> %q, %v", raw, obj, again, err)
		}
	})
}
