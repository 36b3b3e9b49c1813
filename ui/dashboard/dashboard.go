// Package dashboard is the IT dashboard under /ui/: server-rendered pages in German and
// English for administrators, helpdesk and data-protection officers — overview, devices,
// employees, invitations, work policies with their managed configuration, the audit
// trail — and the pages of the sign-in. It renders and acts through mdm.Service; who is
// signed in, with which role, and whether a form is genuine is checked by the server
// before a page is reached (see Viewer and Routes).
package dashboard

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/workpolicy"
	"github.com/trennwand/trennwand/ui"
)

//go:embed templates locales assets
var files embed.FS

// Prefix is where the dashboard is mounted.
const Prefix = "/ui"

// Config says what the dashboard needs.
type Config struct {
	Service *domain.Services
	// PublicURL is what phones reach; invitation links are made from it.
	PublicURL *url.URL
	Log       *slog.Logger
	// Demo shows a banner on every page: the server runs in demo mode.
	Demo bool
	// Licensing is the Apple Apps and Books licensing of work apps; nil without it.
	Licensing mdm.AppLicensing
	// AppleBusinessManager is Automated Device Enrollment through Apple Business
	// Manager; nil without it.
	AppleBusinessManager AppleBusinessManager
	// Apple and Android are the platforms' tenant settings; nil when the installation
	// lacks the platform, which the settings page then says.
	Apple   ApplePush
	Android AndroidEnterprise
	// Schemas gives the policy editor the schemas of Android apps; nil edits every
	// Android app's configuration as JSON.
	Schemas AppSchemas
	// Play is managed Google Play, which the policy editor picks Android apps from; nil
	// without the Android platform.
	Play PlayCatalogue
	// CertificateKeys shows and renews the key an Android device's certificates are bound
	// to; nil when the installation lacks the Android platform.
	CertificateKeys CertificateKeys
	// Expiries lists when the installation's certificates (the CA's, the server's) and
	// the tenant's push certificate and Apps and Books token end, for the overview; nil
	// leaves them out of it.
	Expiries func(ctx context.Context, t mdm.Tenant) ([]metrics.Expiry, error)
	// AuditSigner gives a signer of the manifests of audit exports (a new signing
	// certificate of the installation's CA); nil offers no export on the audit page.
	AuditSigner func(ctx context.Context) (export.Signer, error)
	// SSOCheck tests a single sign-on provider's discovery document; nil offers no test.
	SSOCheck SSOCheck
	// EmployeeRedirectURIs are the callbacks of the employees' sign-in at the tenant's
	// provider (the portal's and the phone's), which the settings page names.
	EmployeeRedirectURIs []string
	// Drivers are the platforms' drivers, which make the code an invited company-owned
	// phone is set up with (the device page shows it); none shows no code.
	Drivers map[mdm.Platform]mdm.Driver
}

// Dashboard serves the pages.
type Dashboard struct {
	cfg     Config
	svc     *domain.Services
	catalog *ui.Catalog
	pages   map[string]*template.Template
}

// The page templates.
// sharedTemplates are the files of templates that pages call.
var sharedTemplates = []string{"partials.html", "config_editor.html"}

var pageNames = []string{
	"signin.html", "factor.html", "recovery.html", "password.html",
	"overview.html", "devices.html", "devices_bulk.html", "device.html", "employees.html",
	"invitations.html", "policies.html", "policy.html", "audit.html", "problem.html", "vpp.html", "abm.html",
	"compliance.html", "invitations_csv.html", "settings.html", "admins.html", "admin_created.html", "tokens.html", "token_created.html",
	"dataprotection.html", "dpo_document.html", "access_log.html", "account.html",
	"sso.html", "sso_continue.html", "directory.html",
}

// New returns the dashboard.
func New(cfg Config) (*Dashboard, error) {
	if cfg.Service == nil {
		return nil, errors.New("dashboard: no domain service")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	catalog, err := Catalog()
	if err != nil {
		return nil, err
	}
	tmpl, _ := fs.Sub(files, "templates")
	pages, err := ui.Templates(tmpl, funcs, sharedTemplates, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return &Dashboard{cfg: cfg, svc: cfg.Service, catalog: catalog, pages: pages}, nil
}

// Catalog returns the dashboard's messages with the layout's.
func Catalog() (*ui.Catalog, error) {
	own, _ := fs.Sub(files, "locales")
	c, err := ui.NewCatalog(ui.Messages(), own)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return c, nil
}

// Assets serves the dashboard's own stylesheet under /ui/assets/.
func Assets() http.Handler {
	sub, _ := fs.Sub(files, "assets")
	return http.StripPrefix(Prefix+"/assets/", http.FileServerFS(sub))
}

// funcs are the helpers the templates use.
var funcs = template.FuncMap{
	"when": when,
	// dict makes the data of a message with fields: dict "Name" value ….
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"platforms":       func() []string { return []string{"android", "ios"} },
	"states":          func() []string { return []string{"invited", "enrolling", "active", "removing", "removed"} },
	"compliances":     func() []string { return []string{"compliant", "in_grace", "noncompliant", "unknown"} },
	"actions":         func() []deviceAction { return deviceActions },
	"ownerships":      func() []mdm.Ownership { return mdm.Ownerships },
	"sortColumns":     func() []mdm.DeviceSortColumn { return mdm.DeviceSortColumns[:len(mdm.DeviceSortColumns)-1] },
	"roles":           func() []mdm.Role { return mdm.Roles },
	"tokenRoles":      func() []mdm.Role { return append(append([]mdm.Role{}, mdm.Roles...), mdm.RoleSCIM) },
	"join":            strings.Join,
	"reason":          reason,
	"rowTypes":        func() []workpolicy.ConfigRowType { return workpolicy.ConfigRowTypes },
	"inactivitySteps": func() []int { return []int{0, 30, 60, 90} },
	"documents":       func() []dataprotection.Document { return dataprotection.Documents },
	"auditGroups":     func() []audit.Group { return audit.Groups },
	"legalBases":      func() []dataprotection.LegalBasis { return dataprotection.LegalBases },
	"employmentLaws":  func() []dataprotection.EmploymentLaw { return dataprotection.EmploymentLaws },
	"inactivityActions": func() []string {
		return []string{string(dataprotection.InactivityLock), string(dataprotection.InactivityRemove)}
	},
	"consequences": func() []string {
		out := make([]string, len(compliance.Consequences))
		for i, c := range compliance.Consequences {
			out[i] = string(c)
		}
		return out
	},
}

// when formats a point in time for a page; "—" for none.
func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if v != nil {
			return v.UTC().Format("2006-01-02 15:04 UTC")
		}
	}
	return "—"
}

// deviceAction is one action on the device page, with the permission it needs and the
// capability the device must have for it (none: every device can), which its platform and
// its ownership decide (mdm.Service.CapabilitiesFor).
type deviceAction struct {
	Path   string
	Perm   string
	Danger bool
	Needs  mdm.Capability
}

// deviceActions are the device page's actions, in the order they are offered.
var deviceActions = []deviceAction{
	{"reset-passcode", string(mdm.PermPasscodeReset), false, mdm.CanResetWorkPasscode},
	{"lock", string(mdm.PermDevicesManage), false, mdm.CanLockWork},
	{"lock-phone", string(mdm.PermDevicesManage), true, mdm.CanLockDevice},
	{"revoke-certificates", string(mdm.PermDevicesManage), true, 0},
	{"remove-work-data", string(mdm.PermDevicesManage), true, 0},
	{"wipe", string(mdm.PermDevicesManage), true, mdm.CanWipeDevice},
}

// Viewer is who is looking at the dashboard. The server puts it into the request's
// context once the session is checked.
type Viewer struct {
	Principal mdm.Principal
	Tenant    mdm.Tenant
	Email     string
	CSRF      string // the session's token, which every form carries in the field "csrf"
}

// Can reports whether the viewer holds the permission, for menus and buttons.
func (v Viewer) Can(p string) bool { return v.Principal.Can(mdm.Permission(p)) }

type viewerKey struct{}

// WithViewer returns ctx with the viewer of the request.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

func viewerOf(r *http.Request) Viewer {
	v, _ := r.Context().Value(viewerKey{}).(Viewer)
	return v
}

// Route is one page or form target with the permission it needs; an empty permission
// admits every signed-in user. Path is in the server's form, with :id for an ID, which the
// server passes on as the request's path value "id".
type Route struct {
	Method, Path string
	Perm         mdm.Permission
	Handler      http.HandlerFunc
}

// Routes returns every page and form target of the signed-in dashboard.
func (d *Dashboard) Routes() []Route {
	get, post := http.MethodGet, http.MethodPost
	routes := append(append(append(append(d.settingsRoutes(), d.directoryRoutes()...), d.adminRoutes()...), d.ssoRoutes()...), []Route{
		{get, Prefix + "/", "", d.overview},
		{get, Prefix + "/devices", mdm.PermDevicesRead, d.devices},
		{get, Prefix + "/devices/:id", mdm.PermDevicesRead, d.device},
		{post, Prefix + "/devices/:id/lock", mdm.PermDevicesManage, d.deviceCommand(mdm.CommandLockWork)},
		{post, Prefix + "/devices/:id/lock-phone", mdm.PermDevicesManage, d.deviceCommand(mdm.CommandLockDevice)},
		{post, Prefix + "/devices/:id/wipe", mdm.PermDevicesManage, d.wipeDevice()},
		{get, Prefix + "/devices/:id/provisioning.png", mdm.PermDevicesManage, d.provisioningQR},
		{post, Prefix + "/devices/:id/reset-passcode", mdm.PermPasscodeReset, d.deviceCommand(mdm.CommandResetWorkPasscode)},
		{post, Prefix + "/devices/:id/remove-work-data", mdm.PermDevicesManage, d.removeWorkData()},
		{post, Prefix + "/devices/:id/revoke-certificates", mdm.PermDevicesManage, d.revokeCertificates()},
		{post, Prefix + "/devices/:id/policy", mdm.PermPoliciesWrite, d.moveDevice},
		{post, Prefix + "/devices/:id/allow-certificate-renewal", mdm.PermDevicesManage, d.allowCertificateRenewal()},
		{post, Prefix + "/devices/bulk/move", mdm.PermPoliciesWrite, d.bulk(bulkMove)},
		{post, Prefix + "/devices/bulk/remove-work-data", mdm.PermDevicesManage, d.bulk(bulkRemove)},
		{post, Prefix + "/devices/bulk/resend-invitation", mdm.PermInvitationsWrite, d.bulk(bulkResend)},
		{post, Prefix + "/devices/bulk/export", mdm.PermDevicesRead, d.bulk(bulkExport)},
		{get, Prefix + "/employees", mdm.PermEmployeesRead, d.employeeList(itEmployees)},
		{get, Prefix + "/invitations", mdm.PermInvitationsRead, d.invitations},
		{post, Prefix + "/invitations", mdm.PermInvitationsWrite, d.invite},
		{post, Prefix + "/invitations/:id/revoke", mdm.PermInvitationsWrite, d.revokeInvitation},
		{post, Prefix + "/invitations/csv", mdm.PermInvitationsWrite, d.importInvitations},
		{post, Prefix + "/invitations/resend", mdm.PermInvitationsWrite, d.resendInvitation},
		{post, Prefix + "/invitations/letters", mdm.PermInvitationsWrite, d.unsentLetters},
		{get, Prefix + "/policies", mdm.PermPoliciesRead, d.policies},
		{post, Prefix + "/policies", mdm.PermPoliciesWrite, d.createPolicy},
		{get, Prefix + "/policies/:id", mdm.PermPoliciesRead, d.policy},
		{post, Prefix + "/policies/:id", mdm.PermPoliciesWrite, d.updatePolicy},
		{post, Prefix + "/policies/:id/apps", mdm.PermPoliciesWrite, d.addApp},
		{post, Prefix + "/policies/:id/apps/remove", mdm.PermPoliciesWrite, d.removeApp},
		{get, Prefix + "/policies/:id/compliance", mdm.PermPoliciesRead, d.complianceRules},
		{post, Prefix + "/policies/:id/compliance", mdm.PermPoliciesWrite, d.saveComplianceRules},
	}...)
	return append(append(append(append(routes, d.vppRoutes()...), d.abmRoutes()...), d.dataProtectionRoutes()...), d.auditRoutes()...)
}

// page is the data every signed-in page gets: the viewer and the page's own data.
type page struct {
	Viewer Viewer
	Flash  string // a message ID to show above the page
	Error  string // a refusal to show above the page: a message ID, or a sentence that has none
	// ErrorArgs are the values the refusal's message names.
	ErrorArgs map[string]string
	Data      any
}

// render writes a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name, titleID string, body any) {
	ui.RememberLang(w, r)
	l := d.catalog.Localizer(ui.Lang(r))
	u := *r.URL
	pg := ui.Page{Localizer: l, Title: l.T(titleID) + " · trennwand", URL: &u, Body: body, Demo: d.cfg.Demo}
	if p, ok := body.(page); ok {
		// Signed in: the tenant's name in the header and the wide column for lists; the
		// sign-in's steps keep the reading column.
		pg.Organisation, pg.Wide = p.Viewer.Tenant.DisplayName, true
	}
	if err := ui.Render(w, status, d.pages[name], pg); err != nil {
		d.cfg.Log.Error("render dashboard page", "page", name, "error", err)
	}
}

// show renders a signed-in page.
func (d *Dashboard) show(w http.ResponseWriter, r *http.Request, name, titleID string, p page) {
	p.Viewer = viewerOf(r)
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadRequest
	}
	d.render(w, r, status, name, titleID, p)
}

// fail answers an error of the domain: the caller's mistakes with the problem page and
// their message, anything else with a plain 500 that is logged.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var msg message
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		status, msg = http.StatusNotFound, message{ID: "problem.not_found"}
	case errors.Is(err, mdm.ErrConflict), errors.Is(err, mdm.ErrInvalid):
		status, msg = http.StatusConflict, said(err)
		if errors.Is(err, mdm.ErrInvalid) {
			status = http.StatusBadRequest
		}
	default:
		d.cfg.Log.Error("dashboard request failed", "path", r.URL.Path, "error", err)
		msg = message{ID: "problem.internal"}
	}
	d.render(w, r, status, "problem.html", "problem.title", page{Viewer: viewerOf(r), Error: msg.ID, ErrorArgs: msg.Args})
}

// back sends the browser to a page after a form, with a message ID to show there.
func back(w http.ResponseWriter, r *http.Request, to, flash string) {
	u := url.URL{Path: to}
	if flash != "" {
		u.RawQuery = url.Values{"done": {flash}}.Encode()
	}
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// flash returns the message ID that a redirect after a form asked to show, if it is one
// of the dashboard's.
func flash(r *http.Request) string {
	switch f := r.URL.Query().Get("done"); f {
	case "queued", "removed", "wiped", "revoked", "saved", "invitation_revoked", "moved", "disabled", "token_revoked", "none_unsent",
		"factor_reset", "passkey_added", "passkey_removed", "confirmed", "sync_queued":
		return "done." + f
	}
	return ""
}

// Problem answers with the problem page: status and the message with the ID.
func (d *Dashboard) Problem(w http.ResponseWriter, r *http.Request, status int, msgID string) {
	d.render(w, r, status, "problem.html", "problem.title", page{Viewer: viewerOf(r), Error: msgID})
}
