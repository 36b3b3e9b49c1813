package android

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/metrics"
)

// ClientConfig says how to reach the Android Management API.
type ClientConfig struct {
	// Endpoint is the API's base URL; empty means Google's. Operators set it to reach a
	// registered partner's proxy, tests and demo mode to reach amapifake.
	Endpoint string
	// CredentialsJSON is the service-account key file's content. Without it the client
	// sends no credentials, which only a proxy or the fake accepts, so an Endpoint is
	// then required.
	CredentialsJSON []byte
	// ProjectID is the Google Cloud project for sign-ups; empty means the credentials'
	// project_id.
	ProjectID string
	// HTTPClient carries the requests when no credentials are given (the fake's TLS
	// client, for example); nil means a plain client. Each call is bounded by 30 s.
	HTTPClient *http.Client
	// Events counts the calls by method and status for /metrics; nil counts nothing.
	Events *metrics.Events
}

// callTimeout bounds one AMAPI call.
const callTimeout = 30 * time.Second

// Client is the Android Management API as the platform uses it: typed calls on Google's
// Go client, with errors that say whether trying again may help (see Temporary).
type Client struct {
	svc       *amapi.Service
	projectID string
}

// NewClient returns a client for the configuration.
func NewClient(ctx context.Context, cfg ClientConfig) (*Client, error) {
	var opts []option.ClientOption
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint))
	}
	project := cfg.ProjectID
	var hc *http.Client
	switch {
	case len(cfg.CredentialsJSON) > 0:
		var key struct {
			Type      string `json:"type"`
			ProjectID string `json:"project_id"`
		}
		if err := json.Unmarshal(cfg.CredentialsJSON, &key); err != nil || key.Type != "service_account" {
			return nil, errors.New("android: the AMAPI credentials are not a service-account key file (JSON with \"type\": \"service_account\")")
		}
		if project == "" {
			project = key.ProjectID
		}
		authed, _, err := htransport.NewClient(ctx, append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, cfg.CredentialsJSON),
			option.WithScopes(amapi.AndroidmanagementScope))...)
		if err != nil {
			return nil, fmt.Errorf("android: AMAPI credentials: %w", err)
		}
		hc = authed
	case cfg.Endpoint != "":
		hc = &http.Client{}
		if cfg.HTTPClient != nil {
			*hc = *cfg.HTTPClient
		}
	default:
		return nil, errors.New("android: no AMAPI credentials: set amapi-credentials (TRENNWAND_AMAPI_CREDENTIALS) to a service-account key file, or amapi-endpoint to a proxy")
	}
	// A call that hangs would hold a worker of the job queue; it fails instead, as
	// temporary, and is tried again.
	hc.Timeout = callTimeout
	if cfg.Events != nil {
		hc.Transport = counted{next: hc.Transport, events: cfg.Events}
	}
	opts = append(opts, option.WithHTTPClient(hc))
	svc, err := amapi.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("android: AMAPI client: %w", err)
	}
	return &Client{svc: svc, projectID: project}, nil
}

// ErrTemporary marks an AMAPI failure that may pass: too many requests (429), a server
// error (5xx) or no answer at all. It is an mdm.ErrUnavailable, so the job queue tries
// such calls again with back-off.
var ErrTemporary = fmt.Errorf("%w: the Android Management API", mdm.ErrUnavailable)

// Temporary reports whether err is an AMAPI failure worth trying again.
func Temporary(err error) bool { return errors.Is(err, ErrTemporary) }

// NotFound reports whether AMAPI answered that the resource does not exist.
func NotFound(err error) bool {
	var g *googleapi.Error
	return errors.As(err, &g) && g.Code == http.StatusNotFound
}

// wrap names the call in an error and marks temporary failures.
func wrap(call string, err error) error {
	if err == nil {
		return nil
	}
	var g *googleapi.Error
	if !errors.As(err, &g) || g.Code == http.StatusTooManyRequests || g.Code >= 500 {
		return fmt.Errorf("AMAPI %s: %w: %w", call, ErrTemporary, err)
	}
	return fmt.Errorf("AMAPI %s: %w", call, err)
}

// CreateSignupURL starts an enterprise sign-up whose end returns to callbackURL.
func (c *Client) CreateSignupURL(ctx context.Context, callbackURL string) (*amapi.SignupUrl, error) {
	s, err := c.svc.SignupUrls.Create().ProjectId(c.projectID).CallbackUrl(callbackURL).Context(ctx).Do()
	return s, wrap("signupUrls.create", err)
}

// CreateEnterprise finishes a sign-up with the token Google's page handed to the callback.
func (c *Client) CreateEnterprise(ctx context.Context, signupURLName, enterpriseToken string, e *amapi.Enterprise) (*amapi.Enterprise, error) {
	out, err := c.svc.Enterprises.Create(e).ProjectId(c.projectID).SignupUrlName(signupURLName).
		EnterpriseToken(enterpriseToken).Context(ctx).Do()
	return out, wrap("enterprises.create", err)
}

// Enterprise returns the enterprise with the name ("enterprises/…").
func (c *Client) Enterprise(ctx context.Context, name string) (*amapi.Enterprise, error) {
	e, err := c.svc.Enterprises.Get(name).Context(ctx).Do()
	return e, wrap("enterprises.get", err)
}

// PatchEnterprise changes the fields of the enterprise that mask names.
func (c *Client) PatchEnterprise(ctx context.Context, name, mask string, e *amapi.Enterprise) (*amapi.Enterprise, error) {
	out, err := c.svc.Enterprises.Patch(name, e).UpdateMask(mask).Context(ctx).Do()
	return out, wrap("enterprises.patch", err)
}

// Application returns what Google Play knows of an app for the enterprise, its managed
// properties among it.
func (c *Client) Application(ctx context.Context, enterprise, packageName string) (*amapi.Application, error) {
	a, err := c.svc.Enterprises.Applications.Get(enterprise + "/applications/" + packageName).Context(ctx).Do()
	return a, wrap("applications.get "+packageName, err)
}

// PatchPolicy creates or replaces the policy with the name.
func (c *Client) PatchPolicy(ctx context.Context, name string, p *amapi.Policy) (*amapi.Policy, error) {
	out, err := c.svc.Enterprises.Policies.Patch(name, p).Context(ctx).Do()
	return out, wrap("policies.patch", err)
}

// CreateEnrollmentToken creates an enrolment token in the enterprise.
func (c *Client) CreateEnrollmentToken(ctx context.Context, enterprise string, t *amapi.EnrollmentToken) (*amapi.EnrollmentToken, error) {
	out, err := c.svc.Enterprises.EnrollmentTokens.Create(enterprise, t).Context(ctx).Do()
	return out, wrap("enrollmentTokens.create", err)
}

// IssueCommand sends a command to the device with the name. Callers check it with
// checkCommand first.
func (c *Client) IssueCommand(ctx context.Context, device string, cmd *amapi.Command) (*amapi.Operation, error) {
	op, err := c.svc.Enterprises.Devices.IssueCommand(device, cmd).Context(ctx).Do()
	return op, wrap("devices.issueCommand", err)
}

// SetDevicePolicy points the device with the name at the policy with the name.
func (c *Client) SetDevicePolicy(ctx context.Context, device, policy string) (*amapi.Device, error) {
	out, err := c.svc.Enterprises.Devices.Patch(device, &amapi.Device{PolicyName: policy}).UpdateMask("policyName").Context(ctx).Do()
	return out, wrap("devices.patch", err)
}

// DeleteDevice deletes the device with the name; on a personally owned device that
// removes the work profile, on a company-owned one it erases the whole phone (callers
// delete a company-owned device only to wipe it, see wipeDevice). The flags
// (WIPE_EXTERNAL_STORAGE, PRESERVE_RESET_PROTECTION_DATA) say what the wipe takes.
func (c *Client) DeleteDevice(ctx context.Context, device string, wipeDataFlags ...string) error {
	call := c.svc.Enterprises.Devices.Delete(device)
	if len(wipeDataFlags) > 0 {
		call = call.WipeDataFlags(wipeDataFlags...)
	}
	_, err := call.Context(ctx).Do()
	return wrap("devices.delete", err)
}

// Devices calls fn for every device of the enterprise, page by page.
func (c *Client) Devices(ctx context.Context, enterprise string, fn func(*amapi.Device) error) error {
	err := c.svc.Enterprises.Devices.List(enterprise).PageSize(100).Pages(ctx, func(page *amapi.ListDevicesResponse) error {
		for _, d := range page.Devices {
			if err := fn(d); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("devices.list", err)
}

// CreateWebToken creates a web token of the enterprise for the managed Google Play iframe.
func (c *Client) CreateWebToken(ctx context.Context, enterprise string, t *amapi.WebToken) (*amapi.WebToken, error) {
	out, err := c.svc.Enterprises.WebTokens.Create(enterprise, t).Context(ctx).Do()
	return out, wrap("webTokens.create", err)
}
