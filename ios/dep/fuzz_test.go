package dep

import (
	"testing"

	"github.com/micromdm/nanodep/tokenpki"

	"github.com/trennwand/trennwand/ios/depfake"
)

// FuzzParseTokenFile feeds arbitrary uploads to the parser of server token files. It must
// never panic, and what it accepts must be a complete token.
func FuzzParseTokenFile(f *testing.F) {
	key, cert, err := tokenpki.SelfSignedRSAKeypair("fuzz", 1)
	if err != nil {
		f.Fatal(err)
	}
	good, err := depfake.New().TokenFile(cert)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("Content-Type: application/pkcs7-mime\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, file []byte) {
		tok, err := ParseTokenFile(file, cert, key)
		if err == nil && !tok.Valid() {
			t.Errorf("accepted an incomplete token: %+v", tok)
		}
	})
}
