package dashboard

import (
	"net/http"
)

// The sign-in pages are shown by the server, which holds the session cookie; these
// functions only render them.

// SignInForm is what the sign-in page shows: the form, filled in again after a failure.
type SignInForm struct {
	Tenant, Email string
	Failed        bool // the last attempt was refused
	Throttled     bool // too many attempts from this address
	Busy          bool // the server could not check the password in time
	// Message is a message ID to show instead (a refused single sign-on).
	Message string
	// SSO is the tenant's single sign-on; nil when the page names no tenant that has one.
	SSO *SSOChoice
}

// SignInPage renders the sign-in form.
func (d *Dashboard) SignInPage(w http.ResponseWriter, r *http.Request, status int, f SignInForm) {
	d.render(w, r, status, "signin.html", "signin.title", f)
}

// FactorForm is what the second-factor page shows.
type FactorForm struct {
	Setup  bool   // first sign-in: show the secret to add to an authenticator
	Secret string // the secret, on the set-up step only
	QR     string // where the secret's QR code image is, on the set-up step only
	CSRF   string
	Failed bool
	// Passkey offers the administrator's passkeys beside the code; PasskeyFailed says the
	// last passkey answer was refused.
	Passkey, PasskeyFailed bool
}

// FactorPage renders the second-factor step.
func (d *Dashboard) FactorPage(w http.ResponseWriter, r *http.Request, status int, f FactorForm) {
	d.render(w, r, status, "factor.html", "factor.title", f)
}

// RecoveryCodesPage shows the new recovery codes once, with the way on.
func (d *Dashboard) RecoveryCodesPage(w http.ResponseWriter, r *http.Request, codes []string, next string) {
	d.render(w, r, http.StatusOK, "recovery.html", "recovery.title", map[string]any{"Codes": codes, "Next": next})
}

// PasswordForm is what the page for replacing the one-time password shows.
type PasswordForm struct {
	CSRF  string
	Error string
	Busy  bool // the server could not check the password in time
}

// PasswordPage renders the password step.
func (d *Dashboard) PasswordPage(w http.ResponseWriter, r *http.Request, status int, f PasswordForm) {
	d.render(w, r, status, "password.html", "password.title", f)
}
