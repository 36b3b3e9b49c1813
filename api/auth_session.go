package api

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
)

// SessionCookie is the cookie that carries a dashboard session. It is Secure, HttpOnly
// and SameSite=Strict, and lives as long as the browser's session; the server ends it
// after SessionIdle without activity and after SessionMaxAge at the latest.
const SessionCookie = "trennwand_session"

// CSRFHeader carries the session's CSRF token on changes made through the JSON API with
// the session cookie; forms carry it in the field "csrf".
const CSRFHeader = "X-CSRF-Token"

// sessionToken returns the session token of the request's cookie, or "".
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// setSessionCookie gives the browser the session token.
func setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
}

// clearSessionCookie tells the browser to forget the session.
func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
}

// sameToken compares a presented CSRF token with the session's in constant time.
func sameToken(presented, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(presented), []byte(want)) == 1
}

// safeMethod reports whether a request only reads.
func safeMethod(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// sessionPrincipal returns who the session cookie of an API request belongs to. Only an
// active session counts, and a change must carry the session's CSRF token in CSRFHeader.
func (a *apiV1) sessionPrincipal(c echo.Context) (mdm.Principal, error) {
	r := c.Request()
	token := sessionToken(r)
	if token == "" {
		return mdm.Principal{}, mdm.ErrUnauthenticated
	}
	sess, admin, err := a.svc.Access.SessionFor(r.Context(), token)
	if err != nil {
		return mdm.Principal{}, err
	}
	if sess.Stage != access.StageActive {
		return mdm.Principal{}, mdm.ErrUnauthenticated
	}
	if !safeMethod(r) && !sameToken(r.Header.Get(CSRFHeader), sess.CSRF) {
		return mdm.Principal{}, newProblem(ProblemCSRF, "a change with the session cookie needs the session's CSRF token in "+CSRFHeader)
	}
	return admin.Principal(), nil
}
