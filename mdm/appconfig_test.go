package mdm_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

func TestConfigRowsBecomeTypedValues(t *testing.T) {
	cfg, err := mdm.ConfigFromRows([]mdm.ConfigRow{
		{Key: " server ", Type: mdm.RowString, Value: "mail.rathaus.example"},
		{Key: "port", Type: mdm.RowInteger, Value: " 993 "},
		{Key: "tls", Type: mdm.RowBoolean, Value: "false"},
		{Key: "folders", Type: mdm.RowList, Value: "Inbox\r\n\r\nSent"},
		{Key: "", Type: mdm.RowInteger, Value: "ignored, since the key is empty"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := mdm.JSONObject(`{"folders":["Inbox","Sent"],"port":993,"server":"mail.rathaus.example","tls":false}`); cfg != want {
		t.Errorf("got %s, want %s", cfg, want)
	}
}

func TestConfigRowsOfTheWrongTypeAreRefused(t *testing.T) {
	cases := map[string][]mdm.ConfigRow{
		"a fraction":            {{Key: "port", Type: mdm.RowInteger, Value: "9.5"}},
		"yes for a boolean":     {{Key: "tls", Type: mdm.RowBoolean, Value: "yes"}},
		"an unknown type":       {{Key: "x", Type: "date", Value: "2026-01-01"}},
		"a key twice":           {{Key: "a", Type: mdm.RowString}, {Key: "a", Type: mdm.RowString}},
		"a key far too long":    {{Key: strings.Repeat("k", mdm.MaxConfigKey+1), Type: mdm.RowString}},
		"a number beyond int64": {{Key: "n", Type: mdm.RowInteger, Value: "99999999999999999999"}},
	}
	for name, rows := range cases {
		if _, err := mdm.ConfigFromRows(rows); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// A configuration that rows can show comes back as the same rows; one they cannot show
// (an object, a fraction, a list of numbers) is left to the JSON editor.
func TestConfigRowsRoundTrip(t *testing.T) {
	rows, ok := mdm.RowsOfConfig(`{"tls":true,"port":993,"folders":["Inbox","Sent"],"server":"x"}`)
	want := []mdm.ConfigRow{{"folders", mdm.RowList, "Inbox\nSent"}, {"port", mdm.RowInteger, "993"}, {"server", mdm.RowString, "x"}, {"tls", mdm.RowBoolean, "true"}}
	if !ok || !reflect.DeepEqual(rows, want) {
		t.Errorf("got %v, %v", rows, ok)
	}
	for _, c := range []mdm.JSONObject{`{"a":{"b":1}}`, `{"a":1.5}`, `{"a":[1,2]}`, `{"a":null}`} {
		if _, ok := mdm.RowsOfConfig(c); ok {
			t.Errorf("%s shown as rows", c)
		}
	}
}

func FuzzConfigFromRows(f *testing.F) {
	f.Add("port", "integer", "993", "list", "strings", "a\nb")
	f.Add("tls", "boolean", "true", "", "string", "")
	f.Add("x", "date", "?", "x", "string", "dup")
	f.Fuzz(func(t *testing.T, k1, t1, v1, k2, t2, v2 string) {
		rows := []mdm.ConfigRow{{k1, mdm.ConfigRowType(t1), v1}, {k2, mdm.ConfigRowType(t2), v2}}
		cfg, err := mdm.ConfigFromRows(rows)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if _, err := mdm.ParseJSONObject([]byte(cfg)); err != nil {
			t.Fatalf("rows made %q, which is no valid object: %v", cfg, err)
		}
		back, ok := mdm.RowsOfConfig(cfg)
		if !ok {
			return
		}
		again, err := mdm.ConfigFromRows(back)
		if err != nil || again != cfg {
			t.Fatalf("rows of %s make %s (%v)", cfg, again, err)
		}
	})
}
