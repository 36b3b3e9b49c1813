package ios

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios/depfake"
)

// The built-in chain is Apple's, as Apple publishes it on its certificate authority page
// (https://www.apple.com/certificateauthority/): each certificate was signed by the next,
// the root by itself, their names are Apple's, and the root is the one whose SHA-256
// fingerprint Apple publishes. Apple's intermediates sign with SHA-1 and have expired;
// the check goes through all the same.
func TestTheBuiltInDeviceCAIsApplesPublishedChain(t *testing.T) {
	var chain []*x509.Certificate
	for rest := AppleDeviceCAPEM(); ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	want := []pkix.Name{
		{Country: []string{"US"}, Organization: []string{"Apple Inc."}, OrganizationalUnit: []string{"Apple iPhone"}, CommonName: "Apple iPhone Device CA"},
		{Country: []string{"US"}, Organization: []string{"Apple Inc."}, OrganizationalUnit: []string{"Apple Certification Authority"}, CommonName: "Apple iPhone Certification Authority"},
		{Country: []string{"US"}, Organization: []string{"Apple Inc."}, OrganizationalUnit: []string{"Apple Certification Authority"}, CommonName: "Apple Root CA"},
	}
	if len(chain) != len(want) {
		t.Fatalf("%d certificates, want %d", len(chain), len(want))
	}
	for i, c := range chain {
		if c.Subject.String() != want[i].String() {
			t.Errorf("certificate %d is %q, want %q", i, c.Subject, want[i])
		}
		parent := chain[min(i+1, len(chain)-1)]
		if err := checkSignedBy(c, parent); err != nil {
			t.Errorf("%s not signed by %s: %v", c.Subject.CommonName, parent.Subject.CommonName, err)
		}
		if !isCA(c) {
			t.Errorf("%s is not a CA", c.Subject.CommonName)
		}
	}
	if chain[0].SignatureAlgorithm != x509.SHA1WithRSA || chain[0].PublicKey.(*rsa.PublicKey).N.BitLen() != 1024 {
		t.Errorf("the device CA is signed with %s, key of %d bits; the test means Apple's SHA-1, RSA-1024 one",
			chain[0].SignatureAlgorithm, chain[0].PublicKey.(*rsa.PublicKey).N.BitLen())
	}
	if err := checkSignedBy(chain[0], chain[2]); err == nil {
		t.Error("the device CA passes as signed by the root directly")
	}
	sum := sha256.Sum256(chain[2].Raw)
	if got := strings.ToUpper(hex.EncodeToString(sum[:])); got != "B0B1730ECBC7FF4505142C49F1295E6EDA6BCAED7E2C68C5BE91B5A11001F024" {
		t.Errorf("Apple Root CA's SHA-256 fingerprint is %s, not the one Apple publishes", got)
	}
	anchors, err := AppleDeviceAnchors()
	if err != nil {
		t.Fatal(err)
	}
	if len(anchors.issuers) != 1 || anchors.issuers[0].Subject.CommonName != "Apple iPhone Device CA" {
		t.Errorf("the issuing CAs of Apple's chain: %v, want only the Apple iPhone Device CA", anchors.issuers)
	}
}

// A file of device CAs that is not a whole chain of CAs is refused at start, so that a
// mistake never trusts other devices than it says.
func TestADeviceCAFileMustBeAWholeChainOfCAs(t *testing.T) {
	blocks := strings.SplitAfter(string(AppleDeviceCAPEM()), "-----END CERTIFICATE-----\n")
	key := newKey(t)
	leaf := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "not a CA"}}, nil, key.Public(), key)
	for name, file := range map[string]string{
		"empty":                    "",
		"no certificate":           "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"the device CA alone":      blocks[0],
		"without the intermediate": blocks[0] + blocks[2],
		"a certificate of no CA":   string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})),
	} {
		if _, err := ParseDeviceAnchors([]byte(file)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseDeviceAnchors(depfake.DeviceCAPEM()); err != nil {
		t.Errorf("the fake's device CA: %v", err)
	}
}

// Device information is believed with a good signature by a device of the trusted CA,
// whether the device signed with SHA-256 or, as old ones do, with SHA-1; not when the
// content changed after signing, the signer is another CA's or signed itself, and not
// against anchors that trust another CA.
func TestDeviceInformationIsBelievedOnlyFromTrustedDevices(t *testing.T) {
	anchors, err := ParseDeviceAnchors(depfake.DeviceCAPEM())
	if err != nil {
		t.Fatal(err)
	}
	apple, err := AppleDeviceAnchors()
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert, err := depfake.IssueDeviceCertificate("old iPhone", rsaKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	const serial = "F2LXK0QWHG7F"
	sha1Header := base64.StdEncoding.EncodeToString(signDeviceInfo(t, deviceInfoContent(t, serial), rsaCert, rsaKey, true))
	for _, header := range []string{GenuineDeviceInfo(t, serial), sha1Header} {
		info, err := parseMachineInfo(header, anchors)
		if err != nil || info.Serial != serial {
			t.Errorf("a genuine device: %+v, %v", info, err)
		}
		if _, err := parseMachineInfo(header, apple); err == nil {
			t.Error("a device of the fake's CA passes with Apple's")
		}
		if _, err := parseMachineInfo(header, nil); err == nil {
			t.Error("a device passes without any trusted CA")
		}
	}
	tamperedSHA1 := signDeviceInfo(t, deviceInfoContent(t, "F2LXK0QWHG7G"), rsaCert, rsaKey, true)
	tamperedSHA1 = []byte(strings.Replace(string(tamperedSHA1), "F2LXK0QWHG7G", serial, 1))
	for name, header := range map[string]string{
		"tampered":               TamperedDeviceInfo(t, serial),
		"tampered, SHA-1":        base64.StdEncoding.EncodeToString(tamperedSHA1),
		"self-signed":            SelfSignedDeviceInfo(t, serial),
		"a stranger CA's device": StrangerDeviceInfo(t, serial),
		"not base64":             "!!",
		"not DER":                base64.StdEncoding.EncodeToString([]byte{0x30, 0x82, 0xff}),
		"no device information":  "",
		"too long":               strings.Repeat("A", maxDeviceInfo+4),
	} {
		if info, err := parseMachineInfo(header, anchors); err == nil {
			t.Errorf("%s: believed %+v", name, info)
		}
	}
}
