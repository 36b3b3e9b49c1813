// Package phonesim is a simulated Android phone for demos, tests and load runs. It does
// what an employee does in the portal — open the invitation link, acknowledge the privacy
// notice, follow the enrolment link — and then, in place of Google's setup on the phone,
// redeems the link's enrolment token at the server's in-process AMAPI fake through the
// demo-only endpoints (mounted by `serve --demo` alone). The fake then delivers the
// ENROLLMENT and STATUS_REPORT notifications to the server's Pub/Sub endpoint as Google
// would.
package phonesim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// The demo-only endpoints through which a simulated phone plays its part at the AMAPI
// fake. Both take and answer JSON and need an API token of the tenant.
const (
	// PathEnrol redeems an enrolment token at the fake: EnrolRequest in, Status out.
	PathEnrol = "/demo/android/enrol"
	// PathReport sends a status report of an enrolled phone: ReportRequest in, Status out.
	PathReport = "/demo/android/report"
)

// EnrolRequest is the body of PathEnrol: the value of the enrolment link's et parameter.
type EnrolRequest struct {
	Token string `json:"token"`
}

// ReportRequest is the body of PathReport: the AMAPI name of the phone.
type ReportRequest struct {
	Device string `json:"device"`
}

// Status is what the fake knows about the phone after the request: its AMAPI name, the
// policy it applies and the work apps of that policy with their managed configuration.
type Status struct {
	Device string         `json:"device"`
	Policy string         `json:"policy"`
	Apps   map[string]any `json:"apps"`
}

// Config says how simulated phones reach the server.
type Config struct {
	Server string       // base URL
	Client *http.Client // trusts the server's certificate
	Token  string       // API token for the demo endpoints
}

// Phone is one simulated Android phone.
type Phone struct {
	cfg    Config
	status Status
}

// New returns a phone that has not enrolled yet.
func New(cfg Config) *Phone { return &Phone{cfg: cfg} }

// Name is the phone's AMAPI device name, once enrolled.
func (p *Phone) Name() string { return p.status.Device }

// Apps returns the package names of the work apps the phone's policy installs, sorted.
func (p *Phone) Apps() []string {
	out := make([]string, 0, len(p.status.Apps))
	for pkg := range p.status.Apps {
		out = append(out, pkg)
	}
	slices.Sort(out)
	return out
}

// ManagedConfig returns the managed configuration the phone's policy gives the app.
func (p *Phone) ManagedConfig(pkg string) any { return p.status.Apps[pkg] }

// Enrol goes through the portal with the invitation code and sets up the work profile
// with the enrolment link's token. Called again after a failure, it opens the invitation
// anew as the employee does: a notice acknowledged before is not shown again, the
// enrolment link is.
func (p *Phone) Enrol(ctx context.Context, code string) error {
	page := p.cfg.Server + "/e/" + url.PathEscape(code)
	steps, err := p.get(ctx, page)
	if err != nil {
		return fmt.Errorf("open invitation: %w", err)
	}
	link := enrolmentLink(steps)
	if link == "" {
		version := find(steps, func(t html.Token) (string, bool) {
			return attr(t, "value"), t.Data == "input" && attr(t, "name") == "notice_version"
		})
		if version == "" {
			return fmt.Errorf("open invitation: neither a privacy notice to acknowledge nor an enrolment link")
		}
		form := url.Values{"acknowledge": {"yes"}, "platform": {"android"}, "notice_version": {version}}
		if _, err := p.post(ctx, page+"/accept", "application/x-www-form-urlencoded", []byte(form.Encode()), http.StatusSeeOther); err != nil {
			return fmt.Errorf("acknowledge notice: %w", err)
		}
		if steps, err = p.get(ctx, page); err != nil {
			return fmt.Errorf("enrolment step: %w", err)
		}
		link = enrolmentLink(steps)
	}
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("et") == "" {
		return fmt.Errorf("enrolment step: no enrolment link on the page")
	}
	return p.demo(ctx, PathEnrol, EnrolRequest{Token: u.Query().Get("et")})
}

// Report sends a status report, as a work profile does from time to time.
func (p *Phone) Report(ctx context.Context) error {
	if p.status.Device == "" {
		return fmt.Errorf("the phone is not enrolled")
	}
	return p.demo(ctx, PathReport, ReportRequest{Device: p.status.Device})
}

// demo calls one of the demo endpoints and keeps the status it answers.
func (p *Phone) demo(ctx context.Context, path string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	out, err := p.post(ctx, p.cfg.Server+path, "application/json", b, http.StatusOK)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var st Status
	if err := json.Unmarshal(out, &st); err != nil || st.Device == "" {
		return fmt.Errorf("%s: unexpected answer %.200q", path, out)
	}
	p.status = st
	return nil
}

func (p *Phone) get(ctx context.Context, u string) ([]byte, error) {
	return p.send(ctx, http.MethodGet, u, "", nil, http.StatusOK)
}

func (p *Phone) post(ctx context.Context, u, contentType string, body []byte, want int) ([]byte, error) {
	return p.send(ctx, http.MethodPost, u, contentType, body, want)
}

func (p *Phone) send(ctx context.Context, method, u, contentType string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if strings.HasPrefix(req.URL.Path, "/demo/") {
		req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	}
	resp, err := p.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
	}
	return out, nil
}

// enrolmentLink returns the target of the page's enrolment link, empty when it has none.
func enrolmentLink(page []byte) string {
	return find(page, func(t html.Token) (string, bool) {
		href := attr(t, "href")
		return href, t.Data == "a" && strings.Contains(href, "?et=")
	})
}

// find returns the value pick takes from the first start tag of the page it accepts.
func find(page []byte, pick func(html.Token) (string, bool)) string {
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			if v, ok := pick(z.Token()); ok {
				return v
			}
		}
	}
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
