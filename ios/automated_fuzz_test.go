package ios

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios/depfake"
)

// FuzzParseMachineInfo feeds arbitrary x-apple-aspen-deviceinfo headers to their parser. It
// must never panic, and what it accepts must be signed by a device of the trusted CA and
// name a serial number of a sensible length.
func FuzzParseMachineInfo(f *testing.F) {
	anchors, err := ParseDeviceAnchors(depfake.DeviceCAPEM())
	if err != nil {
		f.Fatal(err)
	}
	genuine := GenuineDeviceInfo(f, "F2LXK0QWHG7F")
	der, _ := base64.StdEncoding.DecodeString(genuine)
	f.Add(genuine)
	f.Add(base64.StdEncoding.EncodeToString(der[:len(der)/2]))
	f.Add(TamperedDeviceInfo(f, "F2LXK0QWHG7F"))
	f.Add(SelfSignedDeviceInfo(f, "F2LXK0QWHG7F"))
	f.Add(StrangerDeviceInfo(f, "F2LXK0QWHG7F"))
	f.Add("not base64 at all")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		info, err := parseMachineInfo(header, anchors)
		if err == nil && (info.Serial == "" || len(info.Serial) > 64) {
			t.Errorf("accepted device information with serial number %q", info.Serial)
		}
	})
}

// FuzzDiscoveryAccount feeds arbitrary user-identifiers to the check of the discovery
// request: it must never panic, and what it accepts is user@domain with a DNS domain.
func FuzzDiscoveryAccount(f *testing.F) {
	for _, id := range []string{"anna.muster@verwaltung.musterstadt.example", "a@b", "@musterstadt.example", "a@-x.example", "a@x..example", ""} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !wellFormedAccount(id) {
			return
		}
		at := strings.LastIndexByte(id, '@')
		if at <= 0 || !strings.Contains(id[at+1:], ".") || strings.ContainsAny(id[at+1:], " /?#") {
			t.Errorf("accepted %q", id)
		}
	})
}
