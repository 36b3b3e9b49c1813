package dashboard

import (
	"net/http"
	"net/url"

	"github.com/trennwand/trennwand/mdm/access"
)

// The account page is shown by the server, which holds the session: its passkeys are
// bound to the session's proof of the second factor. These functions only render it.

// AccountForm is what the administrator's own account page shows: their passkeys, and
// either the form to add one (the second factor was proved within the last minutes) or
// the forms to prove it again.
type AccountForm struct {
	Passkeys []access.Passkey
	Fresh    bool   // the session proved the second factor recently: a passkey may be added
	Off      bool   // passkeys are off: the public URL names no domain, which they belong to
	Name     string // the new passkey's name, filled in again after a refusal
	Failed   bool   // the code to confirm the factor was wrong
}

// PublicURL is what browsers reach: passkeys are made for its host.
func (d *Dashboard) PublicURL() *url.URL { return d.cfg.PublicURL }

// AccountPage renders the account page of the signed-in administrator (the viewer in
// r's context), with a message ID or a refusal above it.
func (d *Dashboard) AccountPage(w http.ResponseWriter, r *http.Request, status int, f AccountForm, refused string) {
	w.Header().Set("Cache-Control", "no-store")
	d.render(w, r, status, "account.html", "account.title", page{Viewer: viewerOf(r), Flash: flash(r), Error: refused, Data: f})
}
