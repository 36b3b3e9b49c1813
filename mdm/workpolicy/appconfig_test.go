package workpolicy_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/workpolicy"
)

func TestConfigRowsBecomeTypedValues(t *testing.T) {
	cfg, err := workpolicy.ConfigFromRows([]workpolicy.ConfigRow{
		{Key: " server ", Type: workpolicy.RowString, Value: "mail.rathaus.example"},
		{Key: "port", Type: workpolicy.RowInteger, Value: " 993 "},
		{Key: "tls", Type: workpolicy.RowBoolean, Value: "false"},
		{Key: "folders", Type: workpolicy.RowList, Value: "Inbox\r\n\r\nSent"},
		{Key: "", Type: workpolicy.RowInteger, Value: "ignored, since the key is empty"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := mdm.JSONObject(`{"folders":["Inbox","Sent"],"port":993,"server":"mail.rathaus.example","tls":false}`); cfg != want {
		t.Errorf("got %s, want %s", cfg, want)
	}
}

func TestConfigRowsOfTheWrongTypeAreRefused(t *testing.T) {
	cases := map[string][]workpolicy.ConfigRow{
		"a fraction":            {{Key: "port", Type: workpolicy.RowInteger, Value: "9.5"}},
		"yes for a boolean":     {{Key: "tls", Type: workpolicy.RowBoolean, Value: "yes"}},
		"an unknown type":       {{Key: "x", Type: "date", Value: "2026-01-01"}},
		"a key twice":           {{Key: "a", Type: workpolicy.RowString}, {Key: "a", Type: workpolicy.RowString}},
		"a key far too long":    {{Key: strings.Repeat("k", workpolicy.MaxConfigKey+1), Type: workpolicy.RowString}},
		"a number beyond int64": {{Key: "n", Type: workpolicy.RowInteger, Value: "99999999999999999999"}},
	}
	for name, rows := range cases {
		if _, err := workpolicy.ConfigFromRows(rows); !errors.Is(err, mdm.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// A configuration that rows can show comes back as the same rows; one they cannot show
// (an object, a fraction, a list of numbers) is left to the JSON editor.
func TestConfigRowsRoundTrip(t *testing.T) {
	rows, ok := workpolicy.RowsOfConfig(`{"tls":true,"port":993,"folders":["Inbox","Sent"],"server":"x"}`)
	want := []workpolicy.ConfigRow{{"folders", workpolicy.RowList, "Inbox\nSent"}, {"port", workpolicy.RowInteger, "993"}, {"server", workpolicy.RowString, "x"}, {"tls", workpolicy.RowBoolean, "true"}}
	if !ok || !reflect.DeepEqual(rows, want) {
		t.Errorf("got %v, %v", rows, ok)
	}
	for _, c := range []mdm.JSONObject{`{"a":{"b":1}}`, `{"a":1.5}`, `{"a":[1,2]}`, `{"a":null}`} {
		if _, ok := workpolicy.RowsOfConfig(c); ok {
			t.Errorf("%s shown as rows", c)
		}
	}
}

func FuzzConfigFromRows(f *testing.F) {
	f.Add("port", "integer", "993", "list", "strings", "a\nb")
	f.Add("tls", "boolean", "true", "", "string", "")
	f.Add("x", "date", "?", "x", "string", "dup")
	f.Fuzz(func(t *testing.T, k1, t1, v1, k2, t2, v2 string) {
		rows := []workpolicy.ConfigRow{{k1, workpolicy.ConfigRowType(t1), v1}, {k2, workpolicy.ConfigRowType(t2), v2}}
		cfg, err := workpolicy.ConfigFromRows(rows)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if _, err := mdm.ParseJSONObject([]byte(cfg)); err != nil {
			t.Fatalf("rows made %q, which is no valid object: %v", cfg, err)
		}
		back, ok := workpolicy.RowsOfConfig(cfg)
		if !ok {
			return
		}
		again, err := workpolicy.ConfigFromRows(back)
		if err != nil || again != cfg {
			t.Fatalf("rows of %s make %s (%v)", cfg, again, err)
		}
	})
}
