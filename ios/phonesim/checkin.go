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

// announce sends the two check-in messages that complete the enrolment: Authenticate and
// the first TokenUpdate with the phone's push token.
func (p *Phone) announce(ctx context.Context) error {
	// Authenticate is sent once; a phone whose TokenUpdate went unanswered sends only that
	// again.
	if !p.authenticated {
		if _, err := p.checkIn(ctx, p.authenticate()); err != nil {
			return fmt.Errorf("check-in Authenticate: %w", err)
		}
		p.authenticated = true
	}
	if _, err := p.checkIn(ctx, &apple.TokenUpdate{Enrollment: p.enrollment(),
		MessageType: apple.MessageType{MessageType: "TokenUpdate"},
		Push:        apple.Push{Topic: p.topic, PushMagic: p.pushMagic, Token: p.pushToken}}); err != nil {
		return fmt.Errorf("check-in TokenUpdate: %w", err)
	}
	return nil
}

// authenticateMessage is the Authenticate check-in with the OS version, when the phone
// reports one.
type authenticateMessage struct {
	apple.Authenticate
	OSVersion string `plist:",omitempty"`
	// Model and ModelName come from a company-owned phone only, with its serial number.
	Model     string `plist:",omitempty"`
	ModelName string `plist:",omitempty"`
}

func (p *Phone) authenticate() *authenticateMessage {
	m := &authenticateMessage{Authenticate: apple.Authenticate{Enrollment: p.enrollment(),
		MessageType: apple.MessageType{MessageType: "Authenticate"}, Topic: p.topic}, OSVersion: p.cfg.OSVersion}
	if p.company() {
		m.SerialNumber, m.Model, m.ModelName = p.hw.serial, p.hw.model, p.hw.modelName
	}
	return m
}

// checkIn sends a check-in message and returns the server's answer.
func (p *Phone) checkIn(ctx context.Context, msg any) ([]byte, error) {
	body, err := plist.Marshal(msg)
	if err != nil {
		return nil, err
	}
	resp, err := p.transport.DoCheckIn(ctx, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
	}
	return out, nil
}

// Wake is what the phone does when a push arrives (or when it looks on its own): it tells
// the server it is idle and answers every command the server hands it until there is none
// left; then, when one of them was DeclarativeManagement, it synchronises its declarations.
// It returns how many messages it sent.
func (p *Phone) Wake(ctx context.Context) (int, error) {
	if p.transport == nil {
		return 0, fmt.Errorf("phone %s is not enrolled", p.account)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.erased {
		return 0, errErased
	}
	results := p.answer("", "Idle")
	for sent := 1; ; sent++ {
		cmd, err := p.report(ctx, results)
		if err != nil {
			return sent, err
		}
		if p.erased {
			// The acknowledgement went out; the phone wipes itself and says no more.
			return sent, nil
		}
		if cmd == nil {
			n, err := p.syncDeclarations(ctx)
			return sent + n, err
		}
		if sent > maxCommandsPerWake {
			return sent, fmt.Errorf("the server sent more than %d commands in a row", maxCommandsPerWake)
		}
		results = p.carryOut(cmd)
	}
}

// commandAnswer is a command result with the answers of the queries the phone reports.
type commandAnswer struct {
	apple.CommandResults
	QueryResponses map[string]any `plist:",omitempty"`
	SecurityInfo   map[string]any `plist:",omitempty"`
}

func (p *Phone) answer(commandUUID, status string) *commandAnswer {
	return &commandAnswer{CommandResults: apple.CommandResults{Enrollment: p.enrollment(), CommandUUID: commandUUID, Status: status}}
}

// report sends a command result (or Idle) and returns the next command, nil when none.
func (p *Phone) report(ctx context.Context, results *commandAnswer) (*apple.Command, error) {
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

// installCommand holds the fields of the commands the phone looks at.
type installCommand struct {
	Command struct {
		Identifier    string
		Configuration map[string]any
		Queries       []string
		Data          []byte
		// Message, PhoneNumber and Footnote are what lost mode shows on the lock screen.
		Message, PhoneNumber, Footnote string
	}
}

// carryOut does what the command asks and returns its result: apps are "installed" (the
// phone remembers their identifiers), a phone that reports its OS version answers the
// status queries, a DeclarativeManagement command asks for a sync once the commands are
// done, and everything else is acknowledged.
func (p *Phone) carryOut(cmd *apple.Command) *commandAnswer {
	if p.done[cmd.CommandUUID] {
		p.repeats++
	}
	p.done[cmd.CommandUUID] = true
	var c installCommand
	decoded := plist.Unmarshal(cmd.Raw, &c) == nil
	screen := LostScreen{Message: c.Command.Message, PhoneNumber: c.Command.PhoneNumber, Footnote: c.Command.Footnote}
	if status, handled := p.wholeDevice(cmd.Command.RequestType, screen); handled {
		return p.answer(cmd.CommandUUID, status)
	}
	result := p.answer(cmd.CommandUUID, "Acknowledged")
	switch cmd.Command.RequestType {
	case "InstallApplication":
		// Apps that declarations manage do not take MDM's install and remove commands.
		if !decoded || c.Command.Identifier == "" || p.ddm.manages(c.Command.Identifier) {
			return p.answer(cmd.CommandUUID, "Error")
		}
		p.apps[c.Command.Identifier] = true
	case "RemoveApplication":
		if decoded && p.ddm.manages(c.Command.Identifier) {
			return p.answer(cmd.CommandUUID, "Error")
		}
		delete(p.apps, c.Command.Identifier)
	case "DeviceInformation":
		result.QueryResponses = p.hardwareAnswers(c.Command.Queries)
	case "SecurityInfo":
		if p.cfg.OSVersion != "" {
			result.SecurityInfo = map[string]any{"PasscodeCompliant": !p.passcodeNotCompliant}
		}
	case "DeclarativeManagement":
		if !decoded || !p.speaksDDM() {
			return p.answer(cmd.CommandUUID, "Error")
		}
		p.ddm.askSync(c.Command.Data)
	}
	return result
}

// Apps returns the identifiers of the work apps the phone has installed, by MDM command or
// by declaration, sorted.
func (p *Phone) Apps() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.apps))
	for id := range p.apps {
		out = append(out, id)
	}
	for id := range p.ddm.apps {
		if !p.apps[id] {
			out = append(out, id)
		}
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
