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

// The provisioning QR code's keys: the device policy controller it installs and the key
// of the token among its admin extras, as the qrCode of an enrolment token names them.
const (
	provisioningAdmin = "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver"
	qrTokenKey        = "com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN"
)

// companyOwnedCommands are the command types AMAPI carries out on company-owned devices
// only.
var companyOwnedCommands = []string{"RELINQUISH_OWNERSHIP", "START_LOST_MODE", "STOP_LOST_MODE", "REBOOT"}

// Enrol plays an employee setting up a work profile on their own phone with the enrolment
// token's value (the enrolment link): the device is created under the token's policy with
// the token's additional data, and the ENROLLMENT notification is delivered. A one-time
// token is used up.
func (f *Fake) Enrol(ctx context.Context, tokenValue string) (amapi.Device, error) {
	return f.enrol(ctx, tokenValue, false)
}

// ProvisionFromQRCode plays a phone in its setup wizard scanning an enrolment token's QR
// code, as a company-owned phone is set up: the device is company-owned, with a work
// profile where the token allows personal usage (else fully managed), and reports its
// serial number and IMEI. Any token's QR code does it; the phone, not the token, makes
// the device company-owned.
func (f *Fake) ProvisionFromQRCode(ctx context.Context, qrCode string) (amapi.Device, error) {
	var qr struct {
		Admin  string            `json:"android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME"`
		Extras map[string]string `json:"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"`
	}
	if err := json.Unmarshal([]byte(qrCode), &qr); err != nil || qr.Admin != provisioningAdmin || qr.Extras[qrTokenKey] == "" {
		return amapi.Device{}, fmt.Errorf("amapifake: not a provisioning QR code of Android Device Policy: %s", qrCode)
	}
	return f.enrol(ctx, qr.Extras[qrTokenKey], true)
}

// enrol sets up a phone with the token's value: the employee's own phone with a work
// profile, or, company set, a phone from its setup wizard.
func (f *Fake) enrol(ctx context.Context, tokenValue string, company bool) (amapi.Device, error) {
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
	if company {
		d.Ownership = "COMPANY_OWNED"
		if t.AllowPersonalUsage == "PERSONAL_USAGE_DISALLOWED" {
			d.ManagementMode = "DEVICE_OWNER"
		}
		// A company-owned phone reports the identifiers of its hardware.
		d.HardwareInfo.SerialNumber, d.HardwareInfo.Brand, d.HardwareInfo.Model = "R5CX"+randomID(), "google", "Pixel 9"
		d.NetworkInfo = &amapi.NetworkInfo{Imei: imei()}
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

// imei returns a made-up IMEI: 15 digits, the last one Luhn's check digit.
func imei() string {
	digits := []byte("35693803")
	for _, c := range randomID()[:6] {
		digits = append(digits, '0'+byte(c)%10)
	}
	sum := 0
	for i, c := range digits {
		n := int(c - '0')
		if i%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return string(append(digits, '0'+byte((10-sum%10)%10)))
}

// Erased reports whether the company-owned device with the name was erased as a whole by
// its deletion, and with which wipe flags.
func (f *Fake) Erased(name string) ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	flags, ok := f.erased[name]
	return flags, ok
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
		// A company-owned phone that gave up its work profile is deleted from the
		// enterprise once it has acknowledged the command.
		var c amapi.Command
		if json.Unmarshal(op.Metadata, &c) == nil && c.Type == "RELINQUISH_OWNERSHIP" {
			delete(f.devices, op.Name[:strings.Index(op.Name, "/operations/")])
		}
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
