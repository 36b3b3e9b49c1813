package phonesim

import (
	"context"
	"fmt"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"
)

// Message is one MDM message of an enrolled phone, signed with its identity, as a load run
// replays it: to measure a server's check-in path rather than the phone's RSA work, and to
// send the same phone to another MDM server for comparison.
type Message struct {
	// Checkin is true for the check-in endpoint, false for the command endpoint.
	Checkin bool
	// URL is the endpoint at the server the phone enrolled with.
	URL  string
	Body []byte
	// Signature is the Mdm-Signature header.
	Signature string
	// Authorization is the header with the phone's enrolment token.
	Authorization string
}

// Messages returns the phone's Authenticate and TokenUpdate check-ins, its Idle report and
// the CheckOut it sends once its work profile is removed, each signed. Sending
// Authenticate and TokenUpdate to another MDM server enrols the phone there; the Idle
// report may be sent again and again.
func (p *Phone) Messages(ctx context.Context) ([]Message, error) {
	if p.transport == nil {
		return nil, fmt.Errorf("phone %s is not enrolled", p.account)
	}
	msgs := []struct {
		checkin bool
		msg     any
	}{
		{true, p.authenticate()},
		{true, &apple.TokenUpdate{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "TokenUpdate"},
			Push: apple.Push{Topic: p.topic, PushMagic: p.pushMagic, Token: p.pushToken}}},
		{false, &apple.CommandResults{Enrollment: p.enrollment(), Status: "Idle"}},
		{true, &apple.CheckOut{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "CheckOut"}}},
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		body, err := plist.Marshal(m.msg)
		if err != nil {
			return nil, err
		}
		sig, err := p.transport.SignMessage(ctx, body)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		u := p.serverURL
		if m.checkin {
			u = p.checkInURL
		}
		out[i] = Message{Checkin: m.checkin, URL: u, Body: body, Signature: sig, Authorization: "Bearer " + p.token}
	}
	return out, nil
}
