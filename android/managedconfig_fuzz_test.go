package android

import (
	"errors"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// checkManagedConfig takes any configuration an administrator types without panicking,
// and refuses what it does not accept as invalid input.
func FuzzCheckManagedConfig(f *testing.F) {
	props := []*amapi.ManagedProperty{
		{Key: "server", Type: "STRING"}, {Key: "port", Type: "INTEGER"}, {Key: "tls", Type: "BOOL"},
		{Key: "mode", Type: "CHOICE", Entries: []*amapi.ManagedPropertyEntry{{Value: "imap"}}},
		{Key: "folders", Type: "MULTISELECT", Entries: []*amapi.ManagedPropertyEntry{{Value: "inbox"}}},
		{Key: "proxy", Type: "BUNDLE", NestedProperties: []*amapi.ManagedProperty{{Key: "host", Type: "STRING"}}},
		{Key: "accounts", Type: "BUNDLE_ARRAY", NestedProperties: []*amapi.ManagedProperty{
			{Key: "account", Type: "BUNDLE", NestedProperties: []*amapi.ManagedProperty{{Key: "user", Type: "STRING"}}}}},
	}
	for _, seed := range []string{
		`{"server":"a","port":1,"tls":true,"mode":"imap","folders":["inbox"],"proxy":{"host":"h"},"accounts":[{"user":"u"}]}`,
		`{"port":"1"}`, `{"accounts":[1]}`, `[]`, `{`, `{"proxy":{"proxy":{}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, config []byte) {
		if err := checkManagedConfig("de.example.mail", config, props); err != nil && !errors.Is(err, mdm.ErrInvalid) {
			t.Fatalf("refused with %v, not as invalid input", err)
		}
	})
}
