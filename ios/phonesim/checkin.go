package phonesim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"
)

// maxCommandsPerWake bounds how many commands one wake-up answers, so that a server that
// keeps sending commands cannot keep a simulated phone busy for ever.
const maxCommandsPerWake = 100

// enrollment names the phone's User Enrolment in its MDM messages.
func (p *Phone) enrollment() apple.Enrollment { return apple.Enrollment{EnrollmentID: p.enrollmentID} }

// announce sends the two check-in messages that complete the enrolment: Authenticate and
// the first TokenUpdate with the phone's push token.
func (p *Phone) announce(ctx context.Context) error {
	// Authenticate is sent once; a phone whose TokenUpdate went unanswered sends only that
	// again.
	if !p.authenticated {
		if err := p.checkIn(ctx, &apple.Authenticate{Enrollment: p.enrollment(),
			MessageType: apple.MessageType{MessageType: "Authenticate"}, Topic: p.topic}); err != nil {
			return fmt.Errorf("check-in Authenticate: %w", err)
		}
		p.authenticated = true
	}
	if err := p.checkIn(ctx, &apple.TokenUpdate{Enrollment: p.enrollment(),
		MessageType: apple.MessageType{MessageType: "TokenUpdate"},
		Push:        apple.Push{Topic: p.topic, PushMagic: p.pushMagic, Token: p.pushToken}}); err != nil {
		return fmt.Errorf("check-in TokenUpdate: %w", err)
	}
	return nil
}

func (p *Phone) checkIn(ctx context.Context, msg any) error {
	body, err := plist.Marshal(msg)
	if err != nil {
		return err
	}
	resp, err := p.transport.DoCheckIn(ctx, bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
	}
	return nil
}

// Wake is what the phone does when a push arrives (or when it looks on its own): it tells
// the server it is idle and answers every command the server hands it until there is none
// left. It returns how many messages it sent.
func (p *Phone) Wake(ctx context.Context) (int, error) {
	if p.transport == nil {
		return 0, fmt.Errorf("phone %s is not enrolled", p.account)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	results := &apple.CommandResults{Enrollment: p.enrollment(), Status: "Idle"}
	for sent := 1; ; sent++ {
		cmd, err := p.report(ctx, results)
		if err != nil || cmd == nil {
			return sent, err
		}
		if sent > maxCommandsPerWake {
			return sent, fmt.Errorf("the server sent more than %d commands in a row", maxCommandsPerWake)
		}
		results = p.carryOut(cmd)
	}
}

// report sends a command result (or Idle) and returns the next command, nil when none.
func (p *Phone) report(ctx context.Context, results *apple.CommandResults) (*apple.Command, error) {
	body, err := plist.Marshal(results)
	if err != nil {
		return nil, err
	}
	resp, err := p.transport.DoReportResultsAndFetchNext(ctx, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.200s", results.Status, resp.StatusCode, out)
	}
	if len(out) == 0 {
		return nil, nil
	}
	cmd, err := apple.DecodeCommand(out)
	if err != nil {
		return nil, fmt.Errorf("command from the server: %w", err)
	}
	return cmd, nil
}

// installCommand holds the fields of an InstallApplication the phone looks at.
type installCommand struct {
	Command struct {
		Identifier    string
		Configuration map[string]any
	}
}

// carryOut does what the command asks and returns its result: apps are "installed" (the
// phone remembers their identifiers), everything else is acknowledged.
func (p *Phone) carryOut(cmd *apple.Command) *apple.CommandResults {
	if p.done[cmd.CommandUUID] {
		p.repeats++
	}
	p.done[cmd.CommandUUID] = true
	switch cmd.Command.RequestType {
	case "InstallApplication":
		var c installCommand
		if err := plist.Unmarshal(cmd.Raw, &c); err != nil || c.Command.Identifier == "" {
			return &apple.CommandResults{Enrollment: p.enrollment(), CommandUUID: cmd.CommandUUID, Status: "Error"}
		}
		p.apps[c.Command.Identifier] = true
	case "RemoveApplication":
		var c installCommand
		if err := plist.Unmarshal(cmd.Raw, &c); err == nil {
			delete(p.apps, c.Command.Identifier)
		}
	}
	return &apple.CommandResults{Enrollment: p.enrollment(), CommandUUID: cmd.CommandUUID, Status: "Acknowledged"}
}

// Apps returns the identifiers of the work apps the phone has installed, sorted.
func (p *Phone) Apps() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.apps))
	for id := range p.apps {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Commands returns how many different commands the phone has carried out, and how many
// times the server handed it a command again that it had carried out already.
func (p *Phone) Commands() (done, repeated int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.done), p.repeats
}
