package ios

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/micromdm/plist"
	"github.com/smallstep/pkcs7"
)

// The enrolment profile: an MDM payload for the account-driven enrolment of the
// employee's managed Apple account — User Enrolment (BYOD) of the employee's own phone, or
// Device Enrollment (ADDE) of a company-owned one — the SCEP payload whose certificate
// identifies the enrolment, and the CA's root so that the phone trusts the server. Key
// names are Apple's (the device-management schema's com.apple.mdm,
// com.apple.security.scep and com.apple.security.root).

// payloadHeader is what every payload carries.
type payloadHeader struct {
	PayloadType        string
	PayloadVersion     int
	PayloadIdentifier  string
	PayloadUUID        string
	PayloadDisplayName string
}

type enrolmentProfile struct {
	payloadHeader
	PayloadDescription  string
	PayloadOrganization string
	PayloadContent      []any
}

type rootPayload struct {
	payloadHeader
	PayloadCertificateFileName string
	PayloadContent             []byte // the certificate in DER
}

type scepPayload struct {
	payloadHeader
	PayloadContent scepContent
}

type scepContent struct {
	URL       string
	Name      string
	Subject   [][][]string
	Challenge string
	Keysize   int
	KeyType   string `plist:"Key Type"`
	KeyUsage  int    `plist:"Key Usage"` // 1 signing | 4 encryption
}

// mdmPayload is the MDM payload. A User Enrolment has no AccessRights: it ignores them,
// and trennwand asks for no rights beyond what User Enrolment grants.
type mdmPayload struct {
	payloadHeader
	IdentityCertificateUUID string
	Topic                   string
	ServerURL               string
	CheckInURL              string
	SignMessage             bool
	CheckOutWhenRemoved     bool
	AssignedManagedAppleID  string `plist:",omitempty"`
	EnrollmentMode          string `plist:",omitempty"`
	AccessRights            int    `plist:",omitempty"`
}

// The access rights of a device enrolment (Apple's AccessRights bits), the fewest that the
// employer's part of a company-owned phone needs: removing the enrolment profile (which
// needs inspecting profiles too), locking the phone, erasing it when it is lost or
// returned, the device information that names the hardware (model, serial number,
// capacity), the security query of the compliance rules, the work apps' settings and the
// work apps themselves. Not asked for: network information (phone and SIM numbers, MAC
// addresses), provisioning profiles, restrictions, and the inspection of installed
// applications, which would list the employee's private apps.
const (
	rightProfileInspection = 1
	rightProfileInstall    = 2
	rightDeviceLock        = 4
	rightDeviceErase       = 8
	rightDeviceInformation = 16
	rightSecurityQueries   = 1024
	rightSettings          = 2048
	rightAppManagement     = 4096

	deviceEnrolmentRights = rightProfileInspection | rightProfileInstall | rightDeviceLock | rightDeviceErase |
		rightDeviceInformation | rightSecurityQueries | rightSettings | rightAppManagement
)

// profileRequest is what one enrolment profile is made of.
type profileRequest struct {
	DeviceID       string
	ManagedAppleID string
	Challenge      string
	Topic          string
	// Device makes the profile a device enrolment (ADDE) of a company-owned phone;
	// otherwise it is a User Enrolment. Automated makes the device enrolment that of
	// Automated Device Enrollment, which names no enrolment mode and no account.
	Device, Automated bool
}

// profile returns the enrolment profile for one enrolment as a plist.
func (p *Platform) profile(req profileRequest) ([]byte, error) {
	base := p.profileIdentifier()
	header := func(typ, id, name string) payloadHeader {
		return payloadHeader{PayloadType: typ, PayloadVersion: 1, PayloadIdentifier: base + "." + id,
			PayloadUUID: newUUID(), PayloadDisplayName: name}
	}
	root := rootPayload{payloadHeader: header("com.apple.security.root", "root", "trennwand CA"),
		PayloadCertificateFileName: "trennwand-ca.cer", PayloadContent: p.ca.Root().Raw}
	scep := scepPayload{payloadHeader: header("com.apple.security.scep", "identity", "Gerätezertifikat / device certificate"),
		PayloadContent: scepContent{
			URL: p.ca.SCEPURL(), Name: "trennwand",
			Subject:   [][][]string{{{"O", "trennwand"}}, {{"CN", req.DeviceID}}},
			Challenge: req.Challenge, Keysize: 2048, KeyType: "RSA", KeyUsage: 5,
		}}
	mgmt := mdmPayload{payloadHeader: header("com.apple.mdm", "mdm", "Arbeitsbereich / work space"),
		IdentityCertificateUUID: scep.PayloadUUID, Topic: req.Topic,
		ServerURL: p.urls.connect, CheckInURL: p.urls.checkIn, SignMessage: true, CheckOutWhenRemoved: true,
		AssignedManagedAppleID: req.ManagedAppleID, EnrollmentMode: "BYOD"}
	name, description := "Arbeitsbereich – work space", "Richtet einen getrennten Arbeitsbereich für dienstliche Apps ein. "+
		"Sets up a separate work space for work apps."
	if req.Device {
		mgmt.PayloadDisplayName = "Dienstgerät / company device"
		mgmt.EnrollmentMode, mgmt.AccessRights = "ADDE", deviceEnrolmentRights
		if req.Automated {
			mgmt.EnrollmentMode, mgmt.AssignedManagedAppleID = "", ""
		}
		name, description = "Dienstgerät – company device", "Verwaltet dieses Gerät Ihres Arbeitgebers: dienstliche Apps, Sperren und Löschen. "+
			"Private Apps und Daten sieht Ihre IT nicht. "+
			"Manages this device of your employer: work apps, locking and erasing. Your IT does not see private apps and data."
	}
	profile := enrolmentProfile{
		payloadHeader: payloadHeader{PayloadType: "Configuration", PayloadVersion: 1, PayloadIdentifier: base,
			PayloadUUID: newUUID(), PayloadDisplayName: name},
		PayloadDescription:  description,
		PayloadOrganization: "trennwand",
		PayloadContent:      []any{root, scep, mgmt},
	}
	out, err := plist.Marshal(profile)
	if err != nil {
		return nil, fmt.Errorf("encode enrolment profile: %w", err)
	}
	return out, nil
}

// sign wraps content in a CMS signature (SHA-256) by the profile signer's certificate,
// with the certificates that chain it, so that the phone can show who signed it.
func (p *Platform) sign(content []byte) ([]byte, error) {
	cert, err := p.cfg.ProfileSigner()
	if err != nil {
		return nil, fmt.Errorf("profile signer: %w", err)
	}
	if cert == nil || len(cert.Certificate) == 0 || cert.PrivateKey == nil {
		return nil, errors.New("profile signer: no certificate and key")
	}
	chain := make([]*x509.Certificate, len(cert.Certificate))
	for i, der := range cert.Certificate {
		if chain[i], err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("profile signer: %w", err)
		}
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(chain[0], cert.PrivateKey, chain[1:], pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("sign enrolment profile: %w", err)
	}
	return sd.Finish()
}

// reverseHost writes a host name in reverse-DNS order, the convention for payload
// identifiers: mdm.musterstadt.de → de.musterstadt.mdm.
func reverseHost(host string) string {
	labels := strings.Split(strings.Trim(host, "[]"), ".")
	slices.Reverse(labels)
	return strings.Join(labels, ".")
}

// newUUID returns a random (version 4) UUID in the upper-case form profiles use.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}
