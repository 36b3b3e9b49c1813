package phonesim

import (
	"testing"

	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"
)

// signedProfile is an enrolment profile as the server sends it, signed with a throw-away
// certificate.
func signedProfile(t testing.TB, payloads []map[string]any) []byte {
	t.Helper()
	content, err := plist.Marshal(map[string]any{"PayloadType": "Configuration", "PayloadContent": payloads})
	if err != nil {
		t.Fatal(err)
	}
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := selfSigned(key, "profile signer")
	if err != nil {
		t.Fatal(err)
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	out, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestThePhoneReadsWhatItNeedsFromItsProfile(t *testing.T) {
	pr, err := readProfile(signedProfile(t, []map[string]any{
		{"PayloadType": "com.apple.security.scep", "PayloadContent": map[string]any{"URL": "https://mdm.example/scep/devices", "Challenge": "c1"}},
		{"PayloadType": "com.apple.mdm", "Topic": "com.apple.mgmt.External.x", "ServerURL": "https://mdm.example/mdm/connect", "CheckInURL": "https://mdm.example/mdm/checkin",
			"EnrollmentMode": "ADDE"},
	}))
	want := profile{scepURL: "https://mdm.example/scep/devices", challenge: "c1", topic: "com.apple.mgmt.External.x",
		serverURL: "https://mdm.example/mdm/connect", checkIn: "https://mdm.example/mdm/checkin", mode: "ADDE"}
	if err != nil || pr != want {
		t.Fatalf("readProfile = %+v, %v; want %+v", pr, err, want)
	}
	if _, err := readProfile(signedProfile(t, []map[string]any{{"PayloadType": "com.apple.mdm"}})); err == nil {
		t.Error("a profile without a SCEP payload was taken")
	}
}

func FuzzReadProfile(f *testing.F) {
	f.Add(signedProfile(f, []map[string]any{
		{"PayloadType": "com.apple.security.scep", "PayloadContent": map[string]any{"URL": "https://a/scep", "Challenge": "c"}},
		{"PayloadType": "com.apple.mdm", "Topic": "t", "ServerURL": "https://a/mdm"},
	}))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		pr, err := readProfile(b)
		if err == nil && (pr.scepURL == "" || pr.challenge == "" || pr.serverURL == "" || pr.checkIn == "") {
			t.Fatalf("an incomplete profile was taken: %+v", pr)
		}
	})
}

func FuzzSignInURL(f *testing.F) {
	f.Add(`Bearer method="apple-as-web", url="https://mdm.example/apple/signin"`)
	f.Add(`Bearer url="`)
	f.Fuzz(func(t *testing.T, challenge string) {
		if u, ok := signInURL(challenge); ok && u == "" {
			t.Fatal("an empty sign-in URL was taken")
		}
	})
}
