package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/openid"
	"github.com/trennwand/trennwand/ui/dashboard"
	"github.com/trennwand/trennwand/ui/portal"
)

// stateCookie holds the state of a sign-in at the tenant's provider, so that only the
// browser that went there can come back with it: a callback link sent to someone else
// signs nobody in. It lives only on the tenant's callback path.
func stateCookie(tenant string) openid.StateCookie {
	return openid.StateCookie{Name: "trennwand_sso_state", Path: dashboard.Prefix + "/signin/sso/" + tenant + "/", MaxAge: access.SSOSignInTimeout}
}

// ssoConnector speaks OpenID Connect to the tenants' providers through the openid
// package: discovery (issuer checked), the code exchange with the PKCE verifier, and the ID
// token's signature, issuer, audience, expiry and nonce.
type ssoConnector struct{ rp openid.Client }

// newSSOConnector returns the connector on client; nil takes one with a timeout.
func newSSOConnector(client *http.Client) ssoConnector {
	return ssoConnector{rp: openid.New(client)}
}

// discovery is what a provider's discovery document says beyond go-oidc's fields.
type discovery struct {
	EndSession string   `json:"end_session_endpoint"`
	PKCE       []string `json:"code_challenge_methods_supported"`
}

// Discover fetches and checks the issuer's discovery document: it must name the issuer
// exactly and the endpoints of the code flow; for the settings page's "test connection".
func (c ssoConnector) Discover(ctx context.Context, issuer string) (dashboard.SSODiscovery, error) {
	op, err := c.rp.Discover(ctx, issuer)
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

// EmployeeRedirectURLs are the callbacks of an employee's sign-in through the tenant's
// provider, the portal's and the phone's sign-in sheet's, to register at the provider
// when the tenant's employees confirm who they are.
func EmployeeRedirectURLs(public *url.URL) []string {
	return []string{portal.SignedInURL(public), public.JoinPath(ios.PathSignedIn).String()}
}

// SSORedirectURL is the callback of a tenant's sign-in through its provider, the
// redirect URI to register at the provider.
func SSORedirectURL(public *url.URL, tenantName string) string {
	return public.JoinPath(dashboard.Prefix, "signin/sso", tenantName, "callback").String()
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
	op, err := s.conn.rp.Discover(r.Context(), st.Provider.Issuer)
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
	stateCookie(tenant).Set(c.Response(), st.State)
	p := openid.Provider{Issuer: st.Provider.Issuer, ClientID: st.Provider.ClientID, Scopes: st.Provider.Scopes}
	return c.Redirect(http.StatusSeeOther, openid.AuthURL(p, op, s.redirectURL(tenant), openid.Flow{State: st.State, Nonce: st.Nonce, Verifier: st.Verifier}))
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
	op, err := s.conn.rp.Discover(r.Context(), st.Provider.Issuer)
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
	if !stateCookie(tenant).Take(c.Response(), r, state) {
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
	secret, err := s.access.SSO().ClientSecret(st.Provider)
	if err != nil {
		return access.SSOIdentity{}, "", err
	}
	p := openid.Provider{Issuer: st.Provider.Issuer, ClientID: st.Provider.ClientID, ClientSecret: secret, Scopes: st.Provider.Scopes}
	id, err := s.conn.rp.Verify(ctx, p, s.redirectURL(tenant), openid.AnswerOf(q), openid.Flow{State: st.State, Nonce: st.Nonce, Verifier: st.Verifier})
	if refusal := (*openid.Refusal)(nil); errors.As(err, &refusal) {
		return access.SSOIdentity{}, refusal.Why, nil
	} else if err != nil {
		return access.SSOIdentity{}, "", err
	}
	return identityOf(id.Issuer, id.Subject, id.Claims, st.Provider.GroupsClaim), "", nil
}

// identityOf reads the person from the ID token's claims: e-mail, groups (a list of
// strings, or one string), amr and acr. A claim of another shape counts as missing.
func identityOf(issuer, subject string, claims map[string]json.RawMessage, groupsClaim string) access.SSOIdentity {
	id := openid.Identity{Issuer: issuer, Subject: subject, Claims: claims}
	return access.SSOIdentity{Issuer: issuer, Subject: subject, Email: id.Email(), Groups: id.Strings(groupsClaim), AMR: id.Strings("amr"), ACR: id.String("acr")}
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
	op, err := s.conn.rp.Discover(ctx, p.Issuer)
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
