package vpp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultURL is Apple's Apps and Books for Organizations API, version 2.
const DefaultURL = "https://vpp.itunes.apple.com/mdm/v2"

// DefaultMetadataURL is Apple's content metadata service, which names the apps behind
// the organisation's asset IDs.
const DefaultMetadataURL = "https://uclient-api.itunes.apple.com"

// maxAnswerBytes bounds an answer read from Apple.
const maxAnswerBytes = 8 << 20

// Error numbers of Apple's answers that callers act on.
const (
	ErrInternal        = 9603 // Apple's side failed; try again later
	ErrLicenceNotFound = 9610 // no licence of the asset is left to assign
	ErrTokenExpired    = 9621 // the content token has expired
	ErrTokenInvalid    = 9622 // the content token is not valid
	ErrTokenRevoked    = 9625 // the content token was replaced or revoked in Apple Business Manager
)

// APIError is an answer of Apple's other than success.
type APIError struct {
	Status  int    // HTTP status
	Number  int    `json:"errorNumber"`
	Message string `json:"errorMessage"`
	// RetryAfter is the pause Apple asked for with a rate-limit answer (429); zero
	// otherwise.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	if e.Number != 0 {
		return fmt.Sprintf("apps and books: HTTP %d, error %d: %s", e.Status, e.Number, e.Message)
	}
	return fmt.Sprintf("apps and books: HTTP %d", e.Status)
}

// RateLimited reports whether Apple asked to slow down.
func (e *APIError) RateLimited() bool { return e.Status == http.StatusTooManyRequests }

// Temporary reports whether the same request may succeed later: rate limits, Apple's
// internal errors and server errors.
func (e *APIError) Temporary() bool {
	return e.RateLimited() || e.Status >= 500 || e.Number == ErrInternal
}

// TokenUnusable reports whether the content token has expired or was revoked: nothing
// works until a new one is uploaded.
func (e *APIError) TokenUnusable() bool {
	return e.Number == ErrTokenExpired || e.Number == ErrTokenInvalid || e.Number == ErrTokenRevoked || e.Status == http.StatusUnauthorized
}

// AsAPIError returns the APIError in err's chain, if any.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// Client calls the API. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	metadata *url.URL
	http     *http.Client
}

// NewClient returns a client for the API at baseURL (DefaultURL when empty) and the
// metadata service at metadataURL (DefaultMetadataURL when empty), through hc
// (http.DefaultClient when nil).
func NewClient(baseURL, metadataURL string, hc *http.Client) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultURL
	}
	if metadataURL == "" {
		metadataURL = DefaultMetadataURL
	}
	base, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("apps and books URL %q: not an absolute URL", baseURL)
	}
	meta, err := url.Parse(strings.TrimSuffix(metadataURL, "/"))
	if err != nil || meta.Host == "" {
		return nil, fmt.Errorf("apps and books metadata URL %q: not an absolute URL", metadataURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: base, metadata: meta, http: hc}, nil
}

// call sends one request with the content token and decodes the answer into out.
func (c *Client) call(ctx context.Context, sToken, method, path string, query url.Values, in, out any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+sToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req, path, out)
}

// do sends req and decodes its answer.
func (c *Client) do(req *http.Request, what string, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("apps and books %s: %w", what, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("apps and books %s: read answer: %w", what, err)
	}
	return decodeAnswer(resp.StatusCode, resp.Header.Get("Retry-After"), raw, out)
}

// decodeAnswer turns an answer into out or an *APIError. Apple reports some errors with
// status 200 and an errorNumber, so the body is looked at in every case.
func decodeAnswer(status int, retryAfter string, raw []byte, out any) error {
	var e APIError
	_ = json.Unmarshal(raw, &e)
	if status != http.StatusOK || e.Number != 0 {
		e.Status = status
		if e.RateLimited() {
			e.RetryAfter = parseRetryAfter(retryAfter)
		}
		return &e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("apps and books: undecodable answer: %w", err)
	}
	return nil
}

// parseRetryAfter reads a Retry-After header (seconds or an HTTP date); a missing or
// unreadable one means a minute, a pause that is safe with every Apple service.
func parseRetryAfter(h string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, time.Hour)
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(time.Until(t), 0), time.Hour)
	}
	return time.Minute
}
