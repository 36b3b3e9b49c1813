package ios

import (
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/ddm"
)

// FuzzDeclarativeCheckin feeds arbitrary bodies to the edge of the declarative channel: the
// check-in decoder, then the parsers of its endpoint and of a status report's data (with
// the certificates of the work area, read from their DER). None may panic; what they
// accept is a User Enrolment's DeclarativeManagement message with an endpoint of the
// protocol.
func FuzzDeclarativeCheckin(f *testing.F) {
	enrol := apple.Enrollment{EnrollmentID: "0A1B2C3D4E5F"}
	for _, m := range []struct {
		endpoint string
		data     []byte
	}{
		{"tokens", nil}, {"declaration-items", nil}, {"declaration/configuration/trennwand.passcode", nil},
		{"status", []byte(`{"StatusItems":{"passcode":{"is-compliant":false}}}`)},
		{"status", []byte(`{"FullReport":false,"StatusItems":{"security":{"certificate":{"list":[{"identifier":"c1","_removed":true},
			{"identifier":"c2","subject-summary":"Rathaus","is-identity":true,"data":"MAMCAQA="}]}}}}`)},
		{"declaration/asset/../../x", nil},
	} {
		b, err := plist.Marshal(&apple.DeclarativeManagement{Enrollment: enrol, MessageType: apple.MessageType{MessageType: "DeclarativeManagement"},
			Endpoint: m.endpoint, Data: m.data})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, err := decodeCheckin(body, userEnrolment)
		if err != nil {
			return
		}
		dm, ok := msg.(*apple.DeclarativeManagement)
		if !ok {
			return
		}
		ep, err := ddm.ParseEndpoint(dm.Endpoint)
		if err != nil {
			return
		}
		switch ep.Kind {
		case ddm.EndpointStatus:
			r, err := ddm.DecodeStatus(dm.Data)
			if err == nil && len(r.Certificates) > 0 && !r.CertificatesReported {
				t.Errorf("%d certificates read from a report that names none", len(r.Certificates))
			}
		case ddm.EndpointDeclaration:
			if ep.Identifier == "" || ep.ManifestType == "" {
				t.Errorf("endpoint %q parsed as %+v", dm.Endpoint, ep)
			}
		}
	})
}
