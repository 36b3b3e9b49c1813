package android

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// PlayIframeURL is where Google serves the managed Google Play iframe's search page, which
// a web token opens.
const PlayIframeURL = "https://play.google.com/work/embedded/search"

// PlayScriptOrigin is where Google serves its gapi script (/js/api.js), the only way the
// managed Google Play iframe hands the chosen app to the embedding page.
const PlayScriptOrigin = "https://apis.google.com"

// playFeatures are the pages of the iframe an administrator gets: searching Google Play
// and the enterprise's private apps, nothing that changes the enterprise's store layout.
var playFeatures = []string{"PLAY_SEARCH", "PRIVATE_APPS"}

// WebToken opens the managed Google Play iframe for one session of the console.
type WebToken struct {
	// IframeURL is the iframe's address with the token, in the mode that signals the
	// chosen app to the embedding page.
	IframeURL string
	// IframeOrigin is the origin of IframeURL: where the page accepts the choice from.
	IframeOrigin string
}

// PlayWebToken asks Google for a web token of the tenant's own enterprise, for the iframe
// embedded in a page of parentOrigin (an https origin). The enterprise is the one bound
// to the tenant, read before any call to Google; ErrNotBound when there is none,
// mdm.ErrInvalid for a parent that is not an https origin.
func (p *Platform) PlayWebToken(ctx context.Context, t mdm.Tenant, parentOrigin string) (WebToken, error) {
	parent, err := ParentOrigin(parentOrigin)
	if err != nil {
		return WebToken{}, err
	}
	e, err := p.binding(ctx, t.ID)
	if err != nil {
		return WebToken{}, err
	}
	tok, err := p.amapi.CreateWebToken(ctx, e.EnterpriseName, &amapi.WebToken{ParentFrameUrl: parent, EnabledFeatures: playFeatures})
	if err != nil {
		return WebToken{}, err
	}
	value, err := checkWebToken(e.EnterpriseName, tok)
	if err != nil {
		return WebToken{}, err
	}
	base := p.playIframe()
	u, _ := url.Parse(base)
	q := url.Values{"token": {value}, "mode": {"SELECT"}}
	return WebToken{IframeURL: base + "?" + q.Encode(), IframeOrigin: u.Scheme + "://" + u.Host}, nil
}

// PlayIframeOrigin is the origin of the managed Google Play iframe this platform opens.
func (p *Platform) PlayIframeOrigin() string {
	u, _ := url.Parse(p.playIframe())
	return u.Scheme + "://" + u.Host
}

// PlayScriptOrigin is the origin of the gapi script this platform's iframe talks to.
func (p *Platform) PlayScriptOrigin() string {
	if p.cfg.PlayScriptOrigin != "" {
		return p.cfg.PlayScriptOrigin
	}
	return PlayScriptOrigin
}

func (p *Platform) playIframe() string {
	if p.cfg.PlayIframeURL != "" {
		return p.cfg.PlayIframeURL
	}
	return PlayIframeURL
}

// ParentOrigin returns the origin of an https URL ("https://host[:port]"), the only form
// Google accepts as the iframe's parent frame; mdm.ErrInvalid for anything else.
func ParentOrigin(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" ||
		strings.ContainsAny(u.Host, " /\\@") || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: the parent frame must be an https origin such as https://mdm.example.org", mdm.ErrInvalid)
	}
	return "https://" + strings.ToLower(u.Host), nil
}

// checkWebToken returns the value of Google's answer, which must name a token of the
// enterprise that was asked for and carry a value that fits into the iframe's address.
func checkWebToken(enterprise string, tok *amapi.WebToken) (string, error) {
	if tok == nil || !strings.HasPrefix(tok.Name, enterprise+"/webTokens/") || len(tok.Name) == len(enterprise)+len("/webTokens/") {
		return "", fmt.Errorf("AMAPI webTokens.create: the answer names no web token of %s", enterprise)
	}
	if tok.Value == "" || len(tok.Value) > 4096 || strings.ContainsFunc(tok.Value, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return "", fmt.Errorf("AMAPI webTokens.create: the answer's token value is empty or not printable")
	}
	return tok.Value, nil
}
