package dashboard

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/workpolicy"
)

var fuzzSchema = []workpolicy.ConfigProperty{
	{Key: "on", Type: workpolicy.ConfigBool}, {Key: "n", Type: workpolicy.ConfigInteger}, {Key: "s", Type: workpolicy.ConfigString},
	{Key: "c", Type: workpolicy.ConfigChoice, Entries: []workpolicy.ConfigEntry{{Value: "a"}}},
	{Key: "m", Type: workpolicy.ConfigMultiselect, Entries: []workpolicy.ConfigEntry{{Value: "a"}, {Value: "b"}}},
	{Key: "b", Type: workpolicy.ConfigBundle, Nested: []workpolicy.ConfigProperty{{Key: "x", Type: workpolicy.ConfigInteger}}},
	{Key: "l", Type: workpolicy.ConfigBundleArray, Nested: []workpolicy.ConfigProperty{{Key: "y", Type: workpolicy.ConfigString}}},
}

// Whatever a form sends, the editor's reader returns settings that encode as a JSON
// object, or names the refused fields; it never panics, and what it read shows again as
// fields.
func FuzzReadFields(f *testing.F) {
	f.Add("cfg/0/on=true&cfg/0/n=12&cfg/0/m=a&cfg/0/m=b&cfg/0/b/x=3&cfg/0/l/0/=1&cfg/0/l/0/y=z")
	f.Add("cfg/0/n=1.5")
	f.Add("cfg/0/on=yes&cfg/0/l/0/=1&cfg/0/l/1/=1&cfg/0/l/1/y=")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		errs := fieldErrors{}
		values, shown := readFields(fuzzSchema, form, "cfg/0", "", errs)
		_ = fieldsOf(fuzzSchema, "cfg/1", "", shown, errs)
		if len(errs) > 0 {
			return
		}
		b, err := json.Marshal(values)
		if err != nil {
			t.Fatalf("settings %v do not encode: %v", values, err)
		}
		if _, err := mdm.ParseJSONObject(b); err != nil && len(b) <= mdm.MaxJSONObjectBytes {
			t.Fatalf("settings %s are no JSON object: %v", b, err)
		}
	})
}
