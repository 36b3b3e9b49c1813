package pki

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"net/http"
	"testing"

	"github.com/smallstep/pkcs7"
	"github.com/smallstep/scep"
)

// edgeRequest is one HTTP request to the SCEP handler; a nil body makes it a GET.
type edgeRequest struct {
	path, query string
	body        []byte
}

const scepEndpoint = "/scep/devices"

// berPanic makes the BER reader of github.com/smallstep/pkcs7 v0.2.1 panic (index out of
// range); found by FuzzDecodeSCEPRequest.
var berPanic = []byte("\xdf\xd0\x30")

// postMessage posts a PKIOperation message.
func postMessage(body []byte) edgeRequest {
	return edgeRequest{scepEndpoint, "operation=PKIOperation", body}
}

// What is not a well-formed certificate request for this CA is refused at the edge with
// 400 (404 for another endpoint): nothing is issued, and the challenge it carried is not
// used up.
func TestSCEPRefusedAtTheEdge(t *testing.T) {
	tests := []struct {
		name       string
		request    func(d *scepDevice, challenge string) edgeRequest
		wantStatus int
	}{
		{"a message with a byte of its signed content flipped", func(d *scepDevice, ch string) edgeRequest {
			return postMessage(tampered(d.t, d.request(ch).Raw, func(_ []byte, contentMiddle int) int { return contentMiddle }))
		}, http.StatusBadRequest},
		{"a message with a byte in its middle flipped", func(d *scepDevice, ch string) edgeRequest {
			return postMessage(tampered(d.t, d.request(ch).Raw, func(raw []byte, _ int) int { return len(raw) / 2 }))
		}, http.StatusBadRequest},
		{"a message with a byte of its signature flipped", func(d *scepDevice, ch string) edgeRequest {
			return postMessage(tampered(d.t, d.request(ch).Raw, func(raw []byte, _ int) int { return len(raw) - 1 }))
		}, http.StatusBadRequest},
		{"garbage", func(*scepDevice, string) edgeRequest {
			return postMessage([]byte("this is not a SCEP message at all"))
		}, http.StatusBadRequest},
		{"bytes on which the PKCS#7 parser panics", func(*scepDevice, string) edgeRequest {
			return postMessage(berPanic)
		}, http.StatusBadRequest},
		{"a signed message whose envelope makes the PKCS#7 parser panic", func(d *scepDevice, _ string) edgeRequest {
			return postMessage(d.signedMessage(berPanic, scep.PKCSReq, "transaction"))
		}, http.StatusBadRequest},
		{"an empty POST", func(*scepDevice, string) edgeRequest { return postMessage([]byte{}) }, http.StatusBadRequest},
		{"an unknown operation", func(*scepDevice, string) edgeRequest {
			return edgeRequest{scepEndpoint, "operation=GetNextCACert", nil}
		}, http.StatusBadRequest},
		{"no operation", func(*scepDevice, string) edgeRequest { return edgeRequest{scepEndpoint, "", nil} }, http.StatusBadRequest},
		{"GetCACaps by POST", func(*scepDevice, string) edgeRequest {
			return edgeRequest{scepEndpoint, "operation=GetCACaps", []byte("x")}
		}, http.StatusBadRequest},
		{"PKIOperation by GET without a message", func(*scepDevice, string) edgeRequest {
			return edgeRequest{scepEndpoint, "operation=PKIOperation", nil}
		}, http.StatusBadRequest},
		{"a message that is not base64", func(*scepDevice, string) edgeRequest {
			return edgeRequest{scepEndpoint, "operation=PKIOperation&message=%21%21not*base64%21%21", nil}
		}, http.StatusBadRequest},
		{"a RenewalReq", otherMessageType(scep.RenewalReq), http.StatusBadRequest},
		{"an UpdateReq", otherMessageType(scep.UpdateReq), http.StatusBadRequest},
		{"a GetCRL", otherMessageType(scep.GetCRL), http.StatusBadRequest},
		{"a GetCert", otherMessageType(scep.GetCert), http.StatusBadRequest},
		{"a CertPoll", otherMessageType(scep.CertPoll), http.StatusBadRequest},
		{"a message encrypted for another RA", func(d *scepDevice, ch string) edgeRequest {
			_, stranger := newSelfSigned(d.t, 2048, "another RA")
			return postMessage(d.message(ch, scep.PKCSReq, []*x509.Certificate{stranger}).Raw)
		}, http.StatusBadRequest},
		{"another SCEP endpoint", func(*scepDevice, string) edgeRequest {
			return edgeRequest{"/scep/other", "operation=GetCACaps", nil}
		}, http.StatusNotFound},
		{"a name that starts like the endpoint's", func(*scepDevice, string) edgeRequest {
			return edgeRequest{"/scep/devicesx", "operation=GetCACaps", nil}
		}, http.StatusNotFound},
	}
	eachBackend(t, func(t *testing.T, ca *CA) {
		id := Identity{TenantID: "musterstadt", EnrolmentID: "e1"}
		ch := mustChallenge(t, ca, id)
		dev := newSCEPDevice(t, ca, 2048)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := tt.request(dev, ch)
				if status, body := dev.do(req.path, req.query, req.body); status != tt.wantStatus {
					t.Errorf("HTTP %d (%q), want %d", status, body, tt.wantStatus)
				}
			})
		}
		if n := storedCertificates(t, ca); n != 0 {
			t.Errorf("%d certificates stored, want none", n)
		}
		// Another key, so that the retry rule cannot hide a challenge used up above.
		newSCEPDevice(t, ca, 2048).mustEnrol(ch)
	})
}

// otherMessageType builds a SCEP message of a type other than PKCSReq; the library builds
// them like a certificate request, with a CSR inside.
func otherMessageType(typ scep.MessageType) func(d *scepDevice, ch string) edgeRequest {
	return func(d *scepDevice, ch string) edgeRequest {
		return postMessage(d.message(ch, typ, scep.EnciphermentCertsSelector().SelectCerts(d.caCerts())).Raw)
	}
}

// tampered returns a copy of a signed message with one byte flipped, at the offset that at
// chooses from the message and the middle of its signed content.
func tampered(t testing.TB, raw []byte, at func(raw []byte, contentMiddle int) int) []byte {
	t.Helper()
	p7, err := pkcs7.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(raw, p7.Content)
	if start < 0 {
		t.Fatal("the signed content is not in the message")
	}
	out := bytes.Clone(raw)
	out[at(out, start+len(p7.Content)/2)] ^= 0xff
	return out
}

func TestSCEPRefusesShortRSAKeys(t *testing.T) {
	eachBackend(t, func(t *testing.T, ca *CA) {
		dev := newSCEPDevice(t, ca, 1024)
		status, rep := dev.send(dev.request(mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "e1"})).Raw, false)
		switch {
		case status == http.StatusBadRequest:
		case status == http.StatusOK && rep.PKIStatus == scep.FAILURE:
		default:
			t.Errorf("HTTP %d, want a SCEP failure or 400", status)
		}
		if n := storedCertificates(t, ca); n != 0 {
			t.Errorf("%d certificates stored for a 1024-bit key, want none", n)
		}
	})
}

// The signed attributes of a SCEP message (RFC 8894, section 3.2.1).
var (
	oidSCEPMessageType   = asn1.ObjectIdentifier{2, 16, 840, 1, 113733, 1, 9, 2}
	oidSCEPSenderNonce   = asn1.ObjectIdentifier{2, 16, 840, 1, 113733, 1, 9, 5}
	oidSCEPTransactionID = asn1.ObjectIdentifier{2, 16, 840, 1, 113733, 1, 9, 7}
)

// forgedRequest builds a PKCSReq like request does, but with a transaction ID of the
// sender's choosing instead of the hash of its key, as an attacker would.
func (d *scepDevice) forgedRequest(challenge string, transactionID scep.TransactionID) []byte {
	d.t.Helper()
	honest := d.request(challenge)
	envelope, err := pkcs7.Encrypt(honest.CSRReqMessage.CSR.Raw, honest.Recipients)
	if err != nil {
		d.t.Fatal(err)
	}
	return d.signedMessage(envelope, scep.PKCSReq, transactionID)
}

// signedMessage signs content as a SCEP message of the type and transaction, as a client
// writing its messages by hand would.
func (d *scepDevice) signedMessage(content []byte, typ scep.MessageType, transactionID scep.TransactionID) []byte {
	d.t.Helper()
	signed, err := pkcs7.NewSignedData(content)
	if err != nil {
		d.t.Fatal(err)
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	err = signed.AddSigner(d.self, d.key, pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{
		{Type: oidSCEPTransactionID, Value: transactionID},
		{Type: oidSCEPMessageType, Value: typ},
		{Type: oidSCEPSenderNonce, Value: nonce},
	}})
	if err != nil {
		d.t.Fatal(err)
	}
	raw, err := signed.Finish()
	if err != nil {
		d.t.Fatal(err)
	}
	return raw
}
