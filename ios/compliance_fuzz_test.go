package ios

import (
	"testing"

	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/ddm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// FuzzDecodeFacts feeds arbitrary messages to the reader of compliance facts. It must
// never panic, and what it takes must be a version number and a passcode finding.
func FuzzDecodeFacts(f *testing.F) {
	for _, msg := range []map[string]any{
		{"MessageType": "Authenticate", "EnrollmentID": "0A1B2C", "OSVersion": "17.6"},
		{"Status": "Acknowledged", "QueryResponses": map[string]any{"OSVersion": "18.4.1"}},
		{"Status": "Acknowledged", "SecurityInfo": map[string]any{"PasscodeCompliant": false}},
		{"OSVersion": "<script>"},
		{"SecurityInfo": "not a dictionary"},
	} {
		b, err := plist.Marshal(msg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("bplist00\xd1\x01\x02"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := decodeFacts(raw)
		if err != nil {
			return
		}
		if r.OSVersion != "" && !ddm.IsOSVersion(r.OSVersion) {
			t.Errorf("took %q as an OS version", r.OSVersion)
		}
		switch r.Facts.Passcode {
		case "", compliance.FindingMet, compliance.FindingFailed:
		default:
			t.Errorf("passcode finding %q", r.Facts.Passcode)
		}
	})
}

func TestFactsAreReadFromCheckInsAndAnswers(t *testing.T) {
	cases := []struct {
		msg      map[string]any
		version  string
		passcode compliance.Finding
	}{
		{map[string]any{"MessageType": "Authenticate", "OSVersion": "17.6"}, "17.6", ""},
		{map[string]any{"QueryResponses": map[string]any{"OSVersion": "18.4"}}, "18.4", ""},
		{map[string]any{"SecurityInfo": map[string]any{"PasscodeCompliant": true}}, "", compliance.FindingMet},
		{map[string]any{"SecurityInfo": map[string]any{"PasscodeCompliant": false}}, "", compliance.FindingFailed},
		{map[string]any{"SecurityInfo": map[string]any{"PasscodePresent": true}}, "", ""},
		{map[string]any{"OSVersion": "18; DROP TABLE"}, "", ""},
	}
	for _, tc := range cases {
		b, err := plist.Marshal(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		r, err := decodeFacts(b)
		if err != nil || r.OSVersion != tc.version || r.Facts.Passcode != tc.passcode {
			t.Errorf("%v: got %+v %v", tc.msg, r, err)
		}
	}
}
