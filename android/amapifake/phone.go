package amapifake

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
)

// subscriber is a Pub/Sub push subscription: where messages of a topic are posted.
type subscriber struct {
	url    string
	client *http.Client
}

// Subscribe delivers the messages of the Pub/Sub topic to the push URL, as a push
// subscription does, posting with client (nil: http.DefaultClient).
func (f *Fake) Subscribe(topic, pushURL string, client *http.Client) {
	if client == nil {
		client = http.DefaultClient
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subscribers[topic] = subscriber{url: pushURL, client: client}
}

// PushEnvelope returns the body Pub/Sub posts to a push endpoint for one notification of
// the Android Management API: the resource as base64 JSON in message.data and the
// notification type as an attribute.
func PushEnvelope(messageID, notificationType string, resource any) ([]byte, error) {
	data, err := json.Marshal(resource)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"message": map[string]any{
			"data":        base64.StdEncoding.EncodeToString(data),
			"attributes":  map[string]string{"notificationType": notificationType},
			"messageId":   messageID,
			"publishTime": time.Now().UTC().Format(time.RFC3339Nano),
		},
		"subscription": "projects/fake/subscriptions/trennwand",
	})
}

// publish delivers a notification of the enterprise to its topic's subscriber, if the
// enterprise has the notification type enabled. Called without f.mu held.
func (f *Fake) publish(ctx context.Context, enterprise, notificationType string, resource any) error {
	f.mu.Lock()
	e, ok := f.enterprises[enterprise]
	var sub subscriber
	enabled := false
	if ok {
		sub = f.subscribers[e.PubsubTopic]
		for _, t := range e.EnabledNotificationTypes {
			enabled = enabled || t == notificationType
		}
	}
	f.published++
	id := strconv.Itoa(f.published)
	f.mu.Unlock()
	if !enabled || sub.url == "" {
		return nil
	}
	body, err := PushEnvelope(id, notificationType, resource)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := sub.client.Do(req)
	if err != nil {
		return fmt.Errorf("push %s: %w", notificationType, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("push %s: the endpoint answered %s", notificationType, resp.Status)
	}
	return nil
}

// ErrToken means Enrol was given an enrolment token that is unknown, used or expired.
var ErrToken = errors.New("amapifake: the enrolment token is not valid")

// Enrol plays an employee setting up a work profile with the enrolment token's value: the
// device is created under the token's policy with the token's additional data, and the
// ENROLLMENT notification is delivered. A one-time token is used up.
func (f *Fake) Enrol(ctx context.Context, tokenValue string) (amapi.Device, error) {
	f.mu.Lock()
	t, ok := f.tokens[tokenValue]
	if !ok {
		f.mu.Unlock()
		return amapi.Device{}, ErrToken
	}
	if exp, err := time.Parse(time.RFC3339Nano, t.ExpirationTimestamp); err == nil && time.Now().After(exp) {
		f.mu.Unlock()
		return amapi.Device{}, ErrToken
	}
	if t.OneTimeOnly {
		delete(f.tokens, tokenValue)
	}
	enterprise := enterpriseOf(t.Name)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	d := &amapi.Device{
		Name: enterprise + "/devices/3" + randomID(), PolicyName: t.PolicyName, AppliedPolicyName: t.PolicyName,
		EnrollmentTokenName: t.Name, EnrollmentTokenData: t.AdditionalData, EnrollmentTime: now,
		ManagementMode: "PROFILE_OWNER", Ownership: "PERSONALLY_OWNED", State: "ACTIVE", AppliedState: "ACTIVE",
		PolicyCompliant: true, ApiLevel: 35, LastStatusReportTime: now,
		SoftwareInfo: &amapi.SoftwareInfo{AndroidVersion: "15", SecurityPatchLevel: "2026-10-05"},
		// The work profile's enrolment-specific ID, as Android 12 and later report it.
		HardwareInfo: &amapi.HardwareInfo{EnterpriseSpecificId: "ESID" + randomID() + randomID()},
	}
	if p, ok := f.policies[t.PolicyName]; ok {
		d.AppliedPolicyVersion = p.Version
	}
	d.ApplicationReports = f.appReports(t.PolicyName)
	f.devices[d.Name] = d
	out := *d
	f.mu.Unlock()
	return out, f.publish(ctx, enterprise, "ENROLLMENT", out)
}

// ReportStatus plays the device with the name sending a status report: its app list is
// made afresh from its policy (appReports), change edits the device as the phone would
// report it, and the STATUS_REPORT notification is delivered.
func (f *Fake) ReportStatus(ctx context.Context, name string, change func(*amapi.Device)) error {
	f.mu.Lock()
	d, ok := f.devices[name]
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("amapifake: no device %s", name)
	}
	d.ApplicationReports = f.appReports(d.PolicyName)
	change(d)
	d.LastStatusReportTime = time.Now().UTC().Format(time.RFC3339Nano)
	out := *d
	f.mu.Unlock()
	return f.publish(ctx, enterpriseOf(name), "STATUS_REPORT", out)
}

// CompleteOperations plays the devices carrying out every command issued so far: each
// operation is done and its COMMAND notification delivered. It returns how many.
func (f *Fake) CompleteOperations(ctx context.Context) (int, error) {
	f.mu.Lock()
	pending := f.pending
	f.pending = nil
	ops := make([]amapi.Operation, 0, len(pending))
	for _, name := range pending {
		op := f.operations[name]
		op.Done = true
		ops = append(ops, *op)
	}
	f.mu.Unlock()
	for _, op := range ops {
		if err := f.publish(ctx, enterpriseOf(op.Name), "COMMAND", op); err != nil {
			return 0, err
		}
	}
	return len(ops), nil
}

// enterpriseOf returns "enterprises/E" of a resource name below it.
func enterpriseOf(name string) string {
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 || parts[0] != "enterprises" {
		return ""
	}
	return parts[0] + "/" + parts[1]
}
