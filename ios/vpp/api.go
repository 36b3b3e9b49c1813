package vpp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxPerRequest bounds the users named in one associate or disassociate request. It is
// deliberately small: one request's work is one asynchronous event at Apple.
const MaxPerRequest = 25

// ClientConfig is what the API says about the organisation behind a content token.
type ClientConfig struct {
	LocationName string `json:"locationName"`
	CountryCode  string `json:"countryISO2ACode"`
	UID          string `json:"uId"`
	TokenExpires string `json:"tokenExpirationDate"`
	Context      string `json:"clientContext"`
}

// ClientConfig reads the organisation's configuration; it is also the cheapest way to
// learn whether a token works.
func (c *Client) ClientConfig(ctx context.Context, sToken string) (ClientConfig, error) {
	var out ClientConfig
	err := c.call(ctx, sToken, http.MethodGet, "/client/config", nil, nil, &out)
	return out, err
}

// Asset is one app (or book) the organisation holds licences for.
type Asset struct {
	AdamID             string   `json:"adamId"`
	PricingParam       string   `json:"pricingParam"`
	ProductType        string   `json:"productType"`
	AssignedCount      int      `json:"assignedCount"`
	AvailableCount     int      `json:"availableCount"`
	TotalCount         int      `json:"totalCount"`
	RetiredCount       int      `json:"retiredCount"`
	DeviceAssignable   bool     `json:"deviceAssignable"`
	Revocable          bool     `json:"revocable"`
	SupportedPlatforms []string `json:"supportedPlatforms"`
}

// AssetPage is one page of the organisation's assets.
type AssetPage struct {
	Assets           []Asset `json:"assets"`
	CurrentPageIndex int     `json:"currentPageIndex"`
	NextPageIndex    *int    `json:"nextPageIndex"`
	TotalPages       int     `json:"totalPages"`
	Size             int     `json:"size"`
}

// Assets returns one page of the organisation's assets, from 0.
func (c *Client) Assets(ctx context.Context, sToken string, page int) (AssetPage, error) {
	var out AssetPage
	err := c.call(ctx, sToken, http.MethodGet, "/assets", url.Values{"pageIndex": {strconv.Itoa(page)}}, nil, &out)
	return out, err
}

// User is someone licences are assigned to. ClientUserID is the organisation's own name
// for the user; with ManagedAppleID set, Apple ties the user to that managed Apple account
// directly, without an invitation to accept.
type User struct {
	ClientUserID   string `json:"clientUserId"`
	Email          string `json:"email,omitempty"`
	ManagedAppleID string `json:"managedAppleId,omitempty"`
}

// CreateUsers registers users; Apple does it asynchronously and returns the event.
func (c *Client) CreateUsers(ctx context.Context, sToken string, users []User) (string, error) {
	var out struct {
		EventID string `json:"eventId"`
	}
	err := c.call(ctx, sToken, http.MethodPost, "/users/create", nil, map[string]any{"users": users}, &out)
	return out.EventID, err
}

// AssetRef names an asset in a request.
type AssetRef struct {
	AdamID       string `json:"adamId"`
	PricingParam string `json:"pricingParam,omitempty"`
}

// Associate assigns a licence of each asset to each user; Apple does it asynchronously
// and returns the event.
func (c *Client) Associate(ctx context.Context, sToken string, assets []AssetRef, clientUserIDs []string) (string, error) {
	return c.manage(ctx, sToken, "/assets/associate", assets, clientUserIDs)
}

// Disassociate gives the users' licences of the assets back to the organisation.
func (c *Client) Disassociate(ctx context.Context, sToken string, assets []AssetRef, clientUserIDs []string) (string, error) {
	return c.manage(ctx, sToken, "/assets/disassociate", assets, clientUserIDs)
}

func (c *Client) manage(ctx context.Context, sToken, path string, assets []AssetRef, users []string) (string, error) {
	if len(users) > MaxPerRequest {
		return "", fmt.Errorf("apps and books %s: %d users in one request, at most %d", path, len(users), MaxPerRequest)
	}
	var out struct {
		EventID string `json:"eventId"`
	}
	err := c.call(ctx, sToken, http.MethodPost, path, nil, map[string]any{"assets": assets, "clientUserIds": users}, &out)
	return out.EventID, err
}

// The states of an asynchronous event.
const (
	EventPending  = "PENDING"
	EventComplete = "COMPLETE"
	EventFailed   = "FAILED"
)

// Failure is one association (or user) an event could not make.
type Failure struct {
	AdamID       string `json:"adamId"`
	ClientUserID string `json:"clientUserId"`
	ErrorNumber  int    `json:"errorNumber"`
	ErrorMessage string `json:"errorMessage"`
}

// Event is where an asynchronous request stands.
type Event struct {
	Status       string    `json:"eventStatus"`
	Type         string    `json:"eventType"`
	NumCompleted int       `json:"numCompleted"`
	NumRequested int       `json:"numRequested"`
	Failures     []Failure `json:"failures"`
}

// Done reports whether the event has finished, successfully or not.
func (e Event) Done() bool { return e.Status == EventComplete || e.Status == EventFailed }

// Status reads where the event stands.
func (c *Client) Status(ctx context.Context, sToken, eventID string) (Event, error) {
	var out Event
	err := c.call(ctx, sToken, http.MethodGet, "/status/"+url.PathEscape(eventID), nil, nil, &out)
	return out, err
}

// AppMetadata is what the metadata service says about an asset.
type AppMetadata struct {
	AdamID   string `json:"id"`
	Name     string `json:"name"`
	BundleID string `json:"bundleId"`
}

// maxLookup bounds the IDs asked for in one metadata lookup.
const maxLookup = 100

// Lookup names the apps behind asset IDs, asking in groups of maxLookup. IDs the service
// does not know are left out of the answer.
func (c *Client) Lookup(ctx context.Context, sToken string, adamIDs []string) (map[string]AppMetadata, error) {
	out := make(map[string]AppMetadata, len(adamIDs))
	for start := 0; start < len(adamIDs); start += maxLookup {
		part := adamIDs[start:min(start+maxLookup, len(adamIDs))]
		u := *c.metadata
		u.Path += "/WebObjects/MZStorePlatform.woa/wa/lookup"
		u.RawQuery = url.Values{"version": {"2"}, "id": {strings.Join(part, ",")}, "p": {"mdm-lockup"}, "caller": {"MDM"},
			"platform": {"enterprisestore"}}.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("apps and books lookup: %w", err)
		}
		req.AddCookie(&http.Cookie{Name: "itvt", Value: sToken})
		var answer struct {
			Results map[string]AppMetadata `json:"results"`
		}
		if err := c.do(req, "lookup", &answer); err != nil {
			return nil, err
		}
		for id, m := range answer.Results {
			m.AdamID = id
			out[id] = m
		}
	}
	return out, nil
}
