package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// MountDashboard mounts the dashboard's sign-in and pages under /ui, the root's redirect to
// them and the favicon. Each page is checked
// like an API route: an active session (otherwise the browser goes to the sign-in), a role
// that holds the page's permission (403), and on every form the session's CSRF token
// (403). Forms are further guarded against cross-site requests by the browser's Fetch
// metadata (net/http's CrossOriginProtection) and the SameSite=Strict cookie.
func (s *Server) MountDashboard(svc *domain.Services, d *dashboard.Dashboard) {
	si := &signIn{access: svc.Access, dash: d, client: s.clientAddr, conn: s.sso, log: s.log}
	g := s.echo.Group(dashboard.Prefix, echo.WrapMiddleware(http.NewCrossOriginProtection().Handler))
	s.echo.GET(dashboard.Prefix, func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, dashboard.Prefix+"/") })
	// The server's root leads to the dashboard, where IT starts; employees come by their
	// invitation's link.
	s.echo.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, dashboard.Prefix+"/") })
	s.echo.GET(ui.FaviconPath, echo.WrapHandler(ui.Favicon()))
	g.GET("/assets/*", echo.WrapHandler(dashboard.Assets()))
	s.echo.GET(ui.AssetPath+"*", echo.WrapHandler(ui.Assets()))
	g.GET("/signin", si.form)
	g.POST("/signin", si.password)
	g.GET("/signin/factor", si.factorForm)
	g.POST("/signin/factor", si.factor)
	g.GET("/signin/totp.png", si.totpQR)
	g.GET("/signin/password", si.passwordForm)
	g.POST("/signin/password", si.changePassword)
	g.POST("/signout", si.signOut)
	g.GET("/signin/sso/:tenant", si.start)
	g.GET("/signin/sso/:tenant/callback", si.callback)
	g.POST("/signin/sso/link", si.link)
	acc := &account{signIn: si, svc: svc}
	if public := d.PublicURL(); public != nil {
		passkeys, err := access.NewPasskeys(svc.Access, public)
		if err != nil {
			s.log.Warn("passkeys are off: they belong to a domain name, and the public URL names none", "error", err)
		} else {
			acc.passkeys = passkeys
		}
	}
	acc.mount(g)
	for _, r := range d.Routes() {
		s.echo.Add(r.Method, r.Path, pageHandler(svc, d, r))
	}
}

// pageHandler checks the session, the role and the form's CSRF token, then serves the page.
func pageHandler(svc *domain.Services, d *dashboard.Dashboard, route dashboard.Route) echo.HandlerFunc {
	guarded := http.NewCrossOriginProtection().Handler(route.Handler)
	return func(c echo.Context) error {
		r, sess, admin, err := signedIn(c, svc)
		if r == nil {
			return err
		}
		who := admin.Principal()
		if route.Perm != "" && !who.Can(route.Perm) {
			d.Problem(c.Response(), r, http.StatusForbidden, "problem.forbidden")
			return nil
		}
		if !safeMethod(r) && !sameToken(r.PostFormValue("csrf"), sess.CSRF) {
			d.Problem(c.Response(), r, http.StatusForbidden, "problem.csrf")
			return nil
		}
		for i, name := range c.ParamNames() {
			r.SetPathValue(name, c.ParamValues()[i])
		}
		guarded.ServeHTTP(c.Response(), r)
		return nil
	}
}

// signedIn returns the request with the viewer of its active session, the session and its
// administrator; a browser without one is sent to the sign-in (or the step its sign-in is
// at) and the request is nil.
func signedIn(c echo.Context, svc *domain.Services) (*http.Request, access.Session, mdm.Admin, error) {
	r := c.Request()
	sess, admin, err := svc.Access.SessionFor(r.Context(), sessionToken(r))
	if errors.Is(err, mdm.ErrUnauthenticated) {
		return nil, sess, admin, c.Redirect(http.StatusSeeOther, dashboard.Prefix+"/signin")
	}
	if err != nil {
		return nil, sess, admin, err
	}
	if sess.Stage != access.StageActive {
		return nil, sess, admin, c.Redirect(http.StatusSeeOther, stagePage[sess.Stage])
	}
	tenant, err := svc.TenantByID(r.Context(), admin.TenantID)
	if err != nil {
		return nil, sess, admin, err
	}
	v := dashboard.Viewer{Principal: admin.Principal(), Tenant: tenant, Email: admin.Email, CSRF: sess.CSRF}
	return r.WithContext(dashboard.WithViewer(r.Context(), v)), sess, admin, nil
}
