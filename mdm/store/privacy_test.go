package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The schema has no place for what a private phone must never reveal. A column for any of
// it would be the first step to collecting it, so this test fails when one appears.
func TestSchemaHasNoPlaceForPrivateData(t *testing.T) {
	forbiddenWords := []string{ // whole parts of a column name between underscores
		"imei", "meid", "serial", "udid", "msisdn", "iccid", "imsi", "location", "latitude",
		"longitude", "gps", "ssid", "wifi", "bluetooth", "sms", "photos", "contacts", "browsing",
	}
	forbiddenPhrases := []string{"phone_number", "call_log", "personal_app", "private_app", "installed_app"}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cols, err := store.Columns(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) < 50 {
			t.Fatalf("only %d columns read; the schema walk is broken", len(cols))
		}
		for _, col := range cols {
			name := strings.ToLower(col)
			for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '.' }) {
				if slices.Contains(forbiddenWords, part) {
					t.Errorf("column %s looks like private data (%q): trennwand never stores it", col, part)
				}
			}
			for _, phrase := range forbiddenPhrases {
				if strings.Contains(name, phrase) {
					t.Errorf("column %s looks like private data (%q): trennwand never stores it", col, phrase)
				}
			}
		}
	})
}
