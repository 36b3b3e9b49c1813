package android_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// A status report that carries hardware identifiers, network facts and a location leaves
// none of them in the database: only the work profile's facts are kept.
func TestStatusReportKeepsNoPrivateFacts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		push := s.localPushURL(t, s.bind(t).PushURL)
		d := s.invite(t, "max@musterstadt.de")
		phone := s.enrol(t, d)

		secrets := []string{"SERIAL-4711", "356938035643809", "Buero-WLAN", "+4915112345678", "02:00:5e:10:00:01",
			"52.5200", "Telekom-DE", "com.whatsapp", "Pixel 9 von Max"}
		phone.HardwareInfo = &amapi.HardwareInfo{SerialNumber: secrets[0], Model: "Pixel 9", Brand: "Google"}
		phone.NetworkInfo = &amapi.NetworkInfo{Imei: secrets[1], WifiMacAddress: secrets[4], NetworkOperatorName: secrets[6],
			TelephonyInfos: []*amapi.TelephonyInfo{{PhoneNumber: secrets[3], CarrierName: secrets[6]}}}
		phone.ApplicationReports = []*amapi.ApplicationReport{{PackageName: secrets[7]}}
		phone.NonComplianceDetails = []*amapi.NonComplianceDetail{{SettingName: "passwordPolicies", NonComplianceReason: "USER_ACTION", CurrentValue: secrets[8]}}
		raw, err := phone.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		// Fields the Go type does not have travel as raw JSON, as a newer API might send.
		extra := fmt.Sprintf(`,"wifiSsid":%q,"location":{"latitude":%s,"longitude":13.4050}}`, secrets[2], secrets[5])
		raw = append(raw[:len(raw)-1], extra...)
		body := fmt.Sprintf(`{"message":{"messageId":"p-1","data":%q,"attributes":{"notificationType":"STATUS_REPORT"}}}`,
			base64.StdEncoding.EncodeToString(raw))
		if got := s.post(t, push, []byte(body)); got != http.StatusNoContent {
			t.Fatalf("push: %d", got)
		}
		if got := s.device(t, d.ID).NonCompliance; got != "passwordPolicies: USER_ACTION" {
			t.Fatalf("the report was not processed: %q", got)
		}
		dump := dumpDatabase(t, s)
		if !strings.Contains(dump, phone.Name) || !strings.Contains(dump, "passwordPolicies: USER_ACTION") {
			t.Fatal("the dump misses what the database does hold")
		}
		for _, secret := range secrets {
			if strings.Contains(dump, secret) {
				t.Errorf("the database holds %q", secret)
			}
		}
	})
}

// The serial number and IMEI a phone reports are kept for a company-owned phone alone:
// the same report of the employee's own phone leaves neither in the database, and of the
// company-owned phone nothing else of its private side.
func TestHardwareIdentifiersAreKeptOnlyForCompanyOwnedPhones(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)
		own, ownPhone := s.active(t, "max@musterstadt.de")
		company := s.inviteOwned(t, "hof@musterstadt.de", mdm.OwnershipCompany)
		companyPhone := s.provision(t, company)
		report := func(serial, imei string) func(*amapi.Device) {
			return func(d *amapi.Device) {
				d.HardwareInfo = &amapi.HardwareInfo{SerialNumber: serial, EnterpriseSpecificId: d.HardwareInfo.EnterpriseSpecificId}
				d.NetworkInfo = &amapi.NetworkInfo{Imei: imei, TelephonyInfos: []*amapi.TelephonyInfo{{PhoneNumber: "+4915112345678"}}}
			}
		}
		if err := s.fake.ReportStatus(ctx, ownPhone.Name, report("SERIAL-OWN-4711", "356938035643817")); err != nil {
			t.Fatal(err)
		}
		if err := s.fake.ReportStatus(ctx, companyPhone.Name, report("SERIAL-HOF-0815", "356938035643825")); err != nil {
			t.Fatal(err)
		}
		if got := s.device(t, own.ID).Hardware; !got.Empty() {
			t.Errorf("the employee's own phone has hardware identifiers on record: %+v", got)
		}
		if got, want := s.device(t, company.ID).Hardware, (mdm.HardwareIDs{SerialNumber: "SERIAL-HOF-0815", IMEI: "356938035643825"}); got != want {
			t.Errorf("the company-owned phone's identifiers: %+v, want %+v", got, want)
		}
		dump := dumpDatabase(t, s)
		for _, secret := range []string{"SERIAL-OWN-4711", "356938035643817", "+4915112345678"} {
			if strings.Contains(dump, secret) {
				t.Errorf("the database holds %q", secret)
			}
		}
	})
}

// dumpDatabase returns every value of every table as text.
func dumpDatabase(t *testing.T, s *site) string {
	t.Helper()
	db := s.st.Tables().DB().WithContext(context.Background())
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, table := range tables {
		var rows []map[string]any
		if err := db.Table(table).Find(&rows).Error; err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for _, row := range rows {
			for _, v := range row {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&out, "%v\n", v)
			}
		}
	}
	return out.String()
}
