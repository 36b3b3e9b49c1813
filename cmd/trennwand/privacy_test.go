package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The schema of the whole program (the domain's, the CA's and Apple MDM's tables) has no
// place for what a private phone must never reveal. A column for any of it would be the
// first step to collecting it, so this test fails when one appears. The only exceptions
// are the employer's number for its lost phones and the hardware identifiers of
// company-owned phones, named one by one below; that the latter
// are never written for an employee's own phone is held by the platforms' tests
// (TestHardwareIdentifiersAreKeptOnlyForCompanyOwnedPhones,
// TestThePersonalIPhoneIsNeverTreatedAsTheEmployers) and the core's privacy matrix.
func TestSchemaHasNoPlaceForPrivateData(t *testing.T) {
	forbiddenWords := []string{ // whole parts of a column name between underscores
		"imei", "meid", "serial", "udid", "msisdn", "iccid", "imsi", "location", "latitude",
		"longitude", "gps", "ssid", "wifi", "bluetooth", "sms", "photos", "contacts", "browsing",
	}
	forbiddenPhrases := []string{"phone_number", "call_log", "personal_app", "private_app", "installed_app"}
	// Certificates have serial numbers of their own; they say nothing about a phone. The
	// work area's certificates an iPhone reports keep theirs, to be matched with the CA's.
	allowed := []string{"pki_certificates.serial", "pki_revocations.serial", "ios_ddm_certificates.serial",
		// Company-owned phones only: the employer's hardware, identified as such.
		"devices.serial_number", "devices.imei", "devices.udid", "ios_dep_devices.serial_number",
		"ios_dep_setup_passes.serial_number",
		// The employer's own number that its phones in lost mode show the finder, set by IT
		// for the tenant: no phone's number and nobody's private one.
		"tenants.lost_phone_number"}

	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		db := s.sql(t)
		tables, err := db.Migrator().GetTables()
		if err != nil {
			t.Fatal(err)
		}
		// A virtual table (the search's FTS5 index) keeps its data in shadow tables, which
		// are walked like any other; its own declaration is not a table's DDL.
		var virtual []string
		if backend == storetest.SQLite {
			if err := db.Raw("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'").Scan(&virtual).Error; err != nil {
				t.Fatal(err)
			}
		}
		var columns []string
		for _, table := range tables {
			if slices.Contains(virtual, table) {
				continue
			}
			cols, err := db.Migrator().ColumnTypes(table)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cols {
				columns = append(columns, strings.ToLower(table+"."+c.Name()))
			}
		}
		for _, series := range []string{"tenants.", "pki_certificates.", "ios_enrollments."} {
			if !slices.ContainsFunc(columns, func(c string) bool { return strings.HasPrefix(c, series) }) {
				t.Fatalf("no column of %s read; the schema walk is broken", strings.TrimSuffix(series, "."))
			}
		}
		for _, col := range columns {
			if slices.Contains(allowed, col) {
				continue
			}
			for _, part := range strings.FieldsFunc(col, func(r rune) bool { return r == '_' || r == '.' }) {
				if slices.Contains(forbiddenWords, part) {
					t.Errorf("column %s looks like private data (%q): trennwand never stores it", col, part)
				}
			}
			for _, phrase := range forbiddenPhrases {
				if strings.Contains(col, phrase) {
					t.Errorf("column %s looks like private data (%q): trennwand never stores it", col, phrase)
				}
			}
		}
	})
}
