package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	androidsim "github.com/trennwand/trennwand/android/phonesim"
	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

// Device is one simulated phone as a simulation drives it.
type Device interface {
	// Enrol does the platform's whole enrolment with the invitation code.
	Enrol(ctx context.Context, code string) error
	// CheckIn makes contact as the phone does from time to time and returns how many
	// messages it sent.
	CheckIn(ctx context.Context) (int, error)
	// Apps are the work apps the phone has.
	Apps() []string
	// Commands are how many different commands the phone carried out and how many it was
	// handed again after it had carried them out.
	Commands() (done, repeated int)
}

// declarativeDevice is a phone that speaks Declarative Device Management.
type declarativeDevice interface {
	DDM() iossim.DDMCounters
}

// IPhone is a simulated iPhone: its check-in is a wake-up that answers every queued
// command.
type IPhone struct{ *iossim.Phone }

// CheckIn wakes the iPhone as a push would.
func (d IPhone) CheckIn(ctx context.Context) (int, error) { return d.Wake(ctx) }

// AndroidPhone is a simulated Android phone: its check-in is a status report.
type AndroidPhone struct{ *androidsim.Phone }

// CheckIn sends one status report.
func (d AndroidPhone) CheckIn(ctx context.Context) (int, error) { return 1, d.Report(ctx) }

// Commands are zero: an Android phone's commands go through Google, not to the server.
func (d AndroidPhone) Commands() (int, int) { return 0, 0 }

// inviter creates the simulated employees' invitations through the JSON API.
type inviter struct {
	server, token string
	client        *http.Client
}

// invite invites one employee for the platform and returns the invitation code.
func (iv inviter) invite(ctx context.Context, email, appleID string, platform mdm.Platform, ownership mdm.Ownership) (string, error) {
	fields := map[string]string{"email": email, "platform": string(platform), "managed_apple_id": appleID}
	if ownership != "" {
		fields["ownership"] = string(ownership)
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, iv.server+"/api/v1/invitations", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+iv.token)
	resp, err := iv.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("invite %s: %w", email, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("invite %s: %w", email, err)
	}
	var created struct{ Code string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(out, &created) != nil || created.Code == "" {
		return "", fmt.Errorf("invite %s: HTTP %d: %.200s", email, resp.StatusCode, out)
	}
	return created.Code, nil
}
