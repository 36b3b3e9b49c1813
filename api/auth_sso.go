package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// ssoStateCookie holds the state of a sign-in at the provider, so that only the browser
// that went there can come back with it: a callback link sent to someone else signs
// nobody in. It is SameSite=Lax, since the provider sends the browser back from another
// site, and lives only on the callback's path.
const ssoStateCookie = "trennwand_sso_state"

// ssoConnector speaks OpenID Connect to the tenants' providers with go-oidc and
// golang.org/x/oauth2: discovery (issuer checked), the code exchange with the PKCE
// verifier, and the ID token's signature, issuer, audience and expiry.
type ssoConnector struct{ client *http.Client }

// newSSOConnector returns the connector on client; nil takes one with a timeout.
func newSSOConnector(client *http.Client) ssoConnector {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	return ssoConnector{client: client}
}

func (c ssoConnector) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.client)
}

// discovery is what a provider's discovery document says beyond go-oidc's fields.
type discovery struct {
	EndSession string   `json:"end_session_endpoint"`
	PKCE       []string `json:"code_challenge_methods_supported"`
}

// Discover fetches and checks the issuer's discovery document: it must name the issuer
// exactly and the endpoints of the code flow; for the settings page's "test connection".
func (c ssoConnector) Discover(ctx context.Context, issuer string) (dashboard.SSODiscovery, error) {
	op, err := oidc.NewProvider(c.context(ctx), issuer)
	if err != nil {
		return dashboard.SSODiscovery{}, fmt.Errorf("%w: %v", mdm.ErrInvalid, err)
	}
	var more discovery
	if err := op.Claims(&more); err != nil {
		return dashboard.SSODiscovery{}, fmt.Errorf("%w: the discovery document: %v", mdm.ErrInvalid, err)
	}
	ep := op.Endpoint()
	d := dashboard.SSODiscovery{Issuer: issuer, AuthorizationEndpoint: ep.AuthURL, TokenEndpoint: ep.TokenURL,
		EndSessionEndpoint: more.EndSession, PKCE: slices.Contains(more.PKCE, "S256")}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" {
		return d, fmt.Errorf("%w: the discovery document names no authorization or token endpoint", mdm.ErrInvalid)
	}
	return d, nil
}

// redirectURL is the tenant's callback, which the provider's client must list.
func (s *signIn) redirectURL(tenantName string) string {
	return SSORedirectURL(s.dash.SignInBase(), tenantName)
}

// SSORedirectURL is the callback of a tenant's sign-in through its provider, the
// redirect URI to register at the provider.
func SSORedirectURL(public *url.URL, tenantName string) string {
	return public.JoinPath(dashboard.Prefix, "signin/sso", tenantName, "callback").String()
}

func (s *signIn) oauth(p access.SSOProvider, op *oidc.Provider, secret, tenantName string) oauth2.Config {
	return oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Endpoint: op.Endpoint(), RedirectURL: s.redirectURL(tenantName), Scopes: p.Scopes}
}

// start sends the browser to the tenant's provider with a new state, nonce and PKCE
// challenge.
func (s *signIn) start(c echo.Context) error {
	r := c.Request()
	tenant := c.Param("tenant")
	st, err := s.access.SSO().Begin(r.Context(), tenant, s.client(r).String())
	if errors.Is(err, mdm.ErrNotFound) {
		return s.refused(c, http.StatusNotFound, "signin.sso.unknown")
	} else if errors.Is(err, access.ErrThrottled) {
		return s.refused(c, http.StatusTooManyRequests, "signin.throttled")
	} else if err != nil {
		return err
	}
	op, err := oidc.NewProvider(s.conn.context(r.Context()), st.Provider.Issuer)
	if err != nil {
		s.log.Warn("single sign-on: provider unreachable", "tenant", tenant, "error", err)
		return s.refused(c, http.StatusBadGateway, "signin.sso.unreachable")
	}
	return s.toProvider(c, st, op)
}

// toProvider gives the browser the state's cookie and sends it to the provider with the
// state, the nonce and the PKCE challenge.
func (s *signIn) toProvider(c echo.Context, st access.SSOStart, op *oidc.Provider) error {
	tenant := st.Tenant.Name
	http.SetCookie(c.Response(), &http.Cookie{Name: ssoStateCookie, Value: st.State, Path: dashboard.Prefix + "/signin/sso/" + tenant + "/",
		MaxAge: int(access.SSOSignInTimeout.Seconds()), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	cfg := s.oauth(st.Provider, op, "", tenant)
	return c.Redirect(http.StatusSeeOther, cfg.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)))
}

// link sends a signed-in administrator to the tenant's provider to link their account
// (a form of the single sign-on page, with the session's CSRF token).
func (s *signIn) link(c echo.Context) error {
	r := c.Request()
	sess, a, err := s.access.SessionFor(r.Context(), sessionToken(r))
	if errors.Is(err, mdm.ErrUnauthenticated) || (err == nil && sess.Stage != access.StageActive) {
		return c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/signin")
	} else if err != nil {
		return err
	}
	if !s.genuine(c, sess) {
		return nil
	}
	st, err := s.access.SSO().BeginLink(r.Context(), a)
	if errors.Is(err, mdm.ErrNotFound) {
		s.dash.Problem(c.Response(), r, http.StatusNotFound, "signin.sso.unknown")
		return nil
	} else if err != nil {
		return err
	}
	op, err := oidc.NewProvider(s.conn.context(r.Context()), st.Provider.Issuer)
	if err != nil {
		s.log.Warn("single sign-on: provider unreachable", "tenant", st.Tenant.Name, "error", err)
		s.dash.Problem(c.Response(), r, http.StatusBadGateway, "signin.sso.unreachable")
		return nil
	}
	return s.toProvider(c, st, op)
}

// callback takes the provider's answer: the state must be this browser's and the
// tenant's, the code is exchanged with the PKCE verifier, and the ID token must be signed
// by the provider, for this client, unexpired and carry the sign-in's nonce. Only then
// does the domain map the groups to a role and check the second factor.
func (s *signIn) callback(c echo.Context) error {
	r := c.Request()
	ctx := r.Context()
	tenant, q := c.Param("tenant"), r.URL.Query()
	state := q.Get("state")
	http.SetCookie(c.Response(), &http.Cookie{Name: ssoStateCookie, Value: "", Path: dashboard.Prefix + "/signin/sso/" + tenant + "/",
		MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if held, err := r.Cookie(ssoStateCookie); err != nil || state == "" || subtle.ConstantTimeCompare([]byte(held.Value), []byte(state)) != 1 {
		return s.refused(c, http.StatusBadRequest, "signin.sso.failed")
	}
	client := s.client(r).String()
	st, err := s.access.SSO().Take(ctx, tenant, state, client)
	switch {
	case errors.Is(err, access.ErrThrottled):
		return s.refused(c, http.StatusTooManyRequests, "signin.throttled")
	case errors.Is(err, mdm.ErrUnauthenticated):
		return s.refused(c, http.StatusUnauthorized, "signin.sso.failed")
	case err != nil:
		return err
	}
	id, why, err := s.verify(ctx, st, tenant, q)
	if err != nil {
		return err
	}
	if why != "" {
		if err := s.access.SSO().Refuse(ctx, st.Tenant.ID, client, why); err != nil && !errors.Is(err, mdm.ErrUnauthenticated) {
			return err
		}
		return s.refused(c, http.StatusUnauthorized, "signin.sso.failed")
	}
	next, err := s.access.SSO().Finish(ctx, st, id, client)
	if refusal := (*access.SSORefusal)(nil); errors.As(err, &refusal) {
		return s.refused(c, http.StatusForbidden, "signin.sso.refused."+refusal.Reason)
	} else if err != nil {
		return err
	}
	to := dashboard.Prefix + "/settings/sso?done=saved"
	if st.LinkAdminID == "" {
		setSessionCookie(c.Response(), next.Token)
		to = stagePage[next.Session.Stage]
	}
	// The session cookie is SameSite=Strict, and a browser that came from the provider's
	// site would not send it on a redirect; the page's own refresh is a navigation of
	// this site, which does.
	c.Response().Header().Set("Refresh", "0; url="+to)
	s.dash.SSOContinuePage(c.Response(), r, to)
	return nil
}

// verify exchanges the code and checks the ID token; it returns the identity, or why the
// answer is refused. An error is the server's own failure.
func (s *signIn) verify(ctx context.Context, st access.SSOStart, tenant string, q url.Values) (access.SSOIdentity, string, error) {
	if e := q.Get("error"); e != "" {
		return access.SSOIdentity{}, "the provider answered " + clipForTrail(e, 64), nil
	}
	code := q.Get("code")
	if code == "" {
		return access.SSOIdentity{}, "no code", nil
	}
	octx := s.conn.context(ctx)
	op, err := oidc.NewProvider(octx, st.Provider.Issuer)
	if err != nil {
		return access.SSOIdentity{}, "provider unreachable: " + clipForTrail(err.Error(), 200), nil
	}
	secret, err := s.access.SSO().ClientSecret(st.Provider)
	if err != nil {
		return access.SSOIdentity{}, "", err
	}
	cfg := s.oauth(st.Provider, op, secret, tenant)
	tok, err := cfg.Exchange(octx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return access.SSOIdentity{}, "code refused: " + clipForTrail(err.Error(), 200), nil
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return access.SSOIdentity{}, "no ID token", nil
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: st.Provider.ClientID}).Verify(octx, raw)
	if err != nil {
		return access.SSOIdentity{}, "ID token refused: " + clipForTrail(err.Error(), 200), nil
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return access.SSOIdentity{}, "ID token refused: wrong nonce", nil
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return access.SSOIdentity{}, "ID token refused: " + clipForTrail(err.Error(), 200), nil
	}
	return identityOf(idt.Issuer, idt.Subject, claims, st.Provider.GroupsClaim), "", nil
}

// identityOf reads the person from the ID token's claims: e-mail, groups (a list of
// strings, or one string), amr and acr. A claim of another shape counts as missing.
func identityOf(issuer, subject string, claims map[string]json.RawMessage, groupsClaim string) access.SSOIdentity {
	id := access.SSOIdentity{Issuer: issuer, Subject: subject}
	var verified *bool
	_ = json.Unmarshal(claims["email_verified"], &verified)
	if verified == nil || *verified {
		_ = json.Unmarshal(claims["email"], &id.Email)
	}
	id.Groups = stringsClaim(claims[groupsClaim])
	id.AMR = stringsClaim(claims["amr"])
	_ = json.Unmarshal(claims["acr"], &id.ACR)
	return id
}

// stringsClaim reads a claim that is a list of strings or one string.
func stringsClaim(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// clipForTrail shortens a text from outside for the audit trail.
func clipForTrail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// refused answers with the sign-in page and a message.
func (s *signIn) refused(c echo.Context, status int, msgID string) error {
	s.dash.SignInPage(c.Response(), c.Request(), status, dashboard.SignInForm{Tenant: c.Param("tenant"), Message: msgID})
	return nil
}

// ssoChoice is the button of the named tenant's provider on the sign-in page; nil when the
// tenant has none (or does not exist, which the page does not tell apart).
func (s *signIn) ssoChoice(ctx context.Context, tenantName string) *dashboard.SSOChoice {
	if tenantName == "" || mdm.ValidateTenantName(tenantName) != nil {
		return nil
	}
	t, err := s.access.Core.Tenant(ctx, tenantName)
	if err != nil {
		return nil
	}
	p, err := s.access.SSO().Provider(ctx, t.ID)
	if err != nil {
		return nil
	}
	return &dashboard.SSOChoice{Tenant: t.Name, DisplayName: p.DisplayName, Required: p.Required}
}

// endSession is where the browser goes after signing out of a session its provider
// opened: the provider's end_session_endpoint, back to the tenant's sign-in; "" when the
// administrator did not come through a provider or it names none.
func (s *signIn) endSession(ctx context.Context, a mdm.Admin) string {
	// Signing out here is done; a provider that does not answer soon is left out.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	linked, err := s.access.SSO().Linked(ctx, a)
	if err != nil || !linked {
		return ""
	}
	p, err := s.access.SSO().Provider(ctx, a.TenantID)
	if err != nil {
		return ""
	}
	t, err := s.access.Core.TenantByID(ctx, a.TenantID)
	if err != nil {
		return ""
	}
	op, err := oidc.NewProvider(s.conn.context(ctx), p.Issuer)
	if err != nil {
		return ""
	}
	var more discovery
	if op.Claims(&more) != nil || more.EndSession == "" {
		return ""
	}
	u, err := url.Parse(more.EndSession)
	if err != nil || u.Scheme != "https" {
		return ""
	}
	back := s.dash.SignInBase().JoinPath(dashboard.Prefix, "signin")
	back.RawQuery = url.Values{"tenant": {t.Name}}.Encode()
	q := u.Query()
	q.Set("client_id", p.ClientID)
	q.Set("post_logout_redirect_uri", back.String())
	u.RawQuery = q.Encode()
	return u.String()
}
