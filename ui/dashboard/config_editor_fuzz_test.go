package dashboard

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

var fuzzSchema = []mdm.ConfigProperty{
	{Key: "on", Type: mdm.ConfigBool}, {Key: "n", Type: mdm.ConfigInteger}, {Key: "s", Type: mdm.ConfigString},
	{Key: "c", Type: mdm.ConfigChoice, Entries: []mdm.ConfigEntry{{Value: "a"}}},
	{Key: "m", Type: mdm.ConfigMultiselect, Entries: []mdm.ConfigEntry{{Value: "a"}, {Value: "b"}}},
	{Key: "b", Type: mdm.ConfigBundle, Nested: []mdm.ConfigProperty{{Key: "x", Type: mdm.ConfigInteger}}},
	{Key: "l", Type: mdm.ConfigBundleArray, Nested: []mdm.ConfigProperty{{Key: "y", Type: mdm.ConfigString}}},
}

// Whatever a form sends, the editor's reader returns settings that encode as a JSON
// object, or an error; it never panics.
func FuzzReadFields(f *testing.F) {
	f.Add("cfg/0/on=true&cfg/0/n=12&cfg/0/m=a&cfg/0/m=b&cfg/0/b/x=3&cfg/0/l/0/=1&cfg/0/l/0/y=z")
	f.Add("cfg/0/n=1.5")
	f.Add("cfg/0/on=yes&cfg/0/l/0/=1&cfg/0/l/1/=1&cfg/0/l/1/y=")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		values, err := readFields(fuzzSchema, "cfg/0", form)
		if err != nil {
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
