package pki

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/smallstep/scep"
)

// What is not a well-formed certificate request for this CA is refused at the edge with
// 400 (404 for another endpoint): nothing is issued, and the challenge it carried is not
// used up.
func TestSCEPRefusedAtTheEdge(t *testing.T) {
	type request struct {
		path, query string
		body        []byte // nil: GET
	}
	const endpoint = "/scep/devices"
	post := func(body []byte) request { return request{endpoint, "operation=PKIOperation", body} }
	tests := []struct {
		name       string
		request    func(d *scepDevice, challenge string) request
		wantStatus int
	}{
		{"a tampered message", func(d *scepDevice, ch string) request {
			raw := bytes.Clone(d.request(ch).Raw)
			raw[len(raw)/2] ^= 0xff
			return post(raw)
		}, http.StatusBadRequest},
		{"garbage", func(*scepDevice, string) request {
			return post([]byte("this is not a SCEP message at all"))
		}, http.StatusBadRequest},
		{"an empty POST", func(*scepDevice, string) request { return post([]byte{}) }, http.StatusBadRequest},
		{"an unknown operation", func(*scepDevice, string) request {
			return request{endpoint, "operation=GetNextCACert", nil}
		}, http.StatusBadRequest},
		{"no operation", func(*scepDevice, string) request { return request{endpoint, "", nil} }, http.StatusBadRequest},
		{"GetCACaps by POST", func(*scepDevice, string) request {
			return request{endpoint, "operation=GetCACaps", []byte("x")}
		}, http.StatusBadRequest},
		{"PKIOperation by GET without a message", func(*scepDevice, string) request {
			return request{endpoint, "operation=PKIOperation", nil}
		}, http.StatusBadRequest},
		{"a message that is not base64", func(*scepDevice, string) request {
			return request{endpoint, "operation=PKIOperation&message=%21%21not*base64%21%21", nil}
		}, http.StatusBadRequest},
		{"a RenewalReq", otherMessageType(scep.RenewalReq), http.StatusBadRequest},
		{"an UpdateReq", otherMessageType(scep.UpdateReq), http.StatusBadRequest},
		{"a GetCRL", otherMessageType(scep.GetCRL), http.StatusBadRequest},
		{"a GetCert", otherMessageType(scep.GetCert), http.StatusBadRequest},
		{"a CertPoll", otherMessageType(scep.CertPoll), http.StatusBadRequest},
		{"a message encrypted for another RA", func(d *scepDevice, ch string) request {
			_, stranger := newSelfSigned(d.t, 2048, "another RA")
			return post(d.message(ch, scep.PKCSReq, []*x509Certificate{stranger}).Raw)
		}, http.StatusBadRequest},
		{"another SCEP endpoint", func(*scepDevice, string) request {
			return request{"/scep/other", "operation=GetCACaps", nil}
		}, http.StatusNotFound},
		{"a name that starts like the endpoint's", func(*scepDevice, string) request {
			return request{"/scep/devicesx", "operation=GetCACaps", nil}
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
func otherMessageType(typ scep.MessageType) func(d *scepDevice, ch string) struct {
	path, query string
	body        []byte
} {
	return nil
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
