package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui/portal"
)

// FuzzEmployeeSignInCallback sends the portal's callback of the employees' sign-in
// whatever parameters and state cookie: nothing a browser sends there answers 5xx or
// leads on to an invitation.
func FuzzEmployeeSignInCallback(f *testing.F) {
	w := newAPIWorld(f, storetest.Open(f, storetest.SQLite))
	p, err := portal.New(portal.Config{Service: w.svc})
	if err != nil {
		f.Fatal(err)
	}
	w.srv.MountPortal(p.Handler())
	f.Add("state", "code", "", "state")
	f.Add("", "", "access_denied", "")
	f.Add("a%00b", "\xff", "x", "a\x00b")
	f.Add("s", "c", "", "other")
	f.Fuzz(func(t *testing.T, state, code, errParam, cookie string) {
		q := url.Values{"state": {state}, "code": {code}}
		if errParam != "" {
			q.Set("error", errParam)
		}
		req := httptest.NewRequest(http.MethodGet, "/e/signin/callback", nil)
		req.URL.RawQuery = q.Encode()
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "trennwand_employee_state", Value: url.QueryEscape(cookie)})
		}
		rec := httptest.NewRecorder()
		w.srv.Echo().ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code == http.StatusSeeOther {
			t.Errorf("callback %s: %d to %q", req.URL, rec.Code, rec.Header().Get("Location"))
		}
	})
}
