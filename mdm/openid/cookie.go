package openid

import (
	"crypto/subtle"
	"net/http"
	"time"
)

// StateCookie binds a flow to the browser that started it: the browser keeps the state
// in a cookie, and only a callback that brings the same state in its query and its cookie
// is taken, so that a callback link sent to someone else confirms nobody. It is
// SameSite=Lax, since the provider sends the browser back from another site.
type StateCookie struct {
	Name, Path string
	MaxAge     time.Duration
}

// Set gives the browser the flow's state.
func (c StateCookie) Set(w http.ResponseWriter, state string) {
	c.write(w, state, int(c.MaxAge.Seconds()))
}

// Take clears the cookie and reports whether the browser held the state, which must not
// be empty.
func (c StateCookie) Take(w http.ResponseWriter, r *http.Request, state string) bool {
	c.write(w, "", -1)
	held, err := r.Cookie(c.Name)
	return err == nil && state != "" && subtle.ConstantTimeCompare([]byte(held.Value), []byte(state)) == 1
}

func (c StateCookie) write(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: c.Name, Value: value, Path: c.Path, MaxAge: maxAge, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
}
