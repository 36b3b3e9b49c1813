// Package portal is the employee portal at /e/{code}: the page an invitation's QR code
// opens. Before any step it tells the employee in plain words what their employer can and
// cannot see and do, records the acknowledgement, then hands over to the phone's platform
// (Android's enrolment link, the iPhone's settings), and afterwards shows the employee's
// devices with a way to remove the work container. It works without JavaScript, in
// German and English, and follows WCAG 2.1 AA.
package portal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui"
)

//go:embed templates locales
var files embed.FS

// The pages of the portal.
const (
	pageNotice  = "notice.html"
	pageIOS     = "ios.html"
	pageStatus  = "status.html"
	pageGone    = "gone.html"
	pageProblem = "problem.html"
	pageEnter   = "enter.html"
	pageSetup   = "setup.html"
	pageRemoved = "removed.html"
	pageRemove  = "remove.html"
	pageLost    = "lost.html"
)

// progressTemplate is the progress list that the pages waiting for a phone include.
const progressTemplate = "progress.tmpl"

// Config says what the portal needs from its surroundings.
type Config struct {
	Service *domain.Services
	// Drivers are the platforms by which phones enrol; a platform without a driver is
	// offered with a note that it is not available yet.
	Drivers map[mdm.Platform]mdm.Driver
	// ClientAddr returns the address a request comes from, for limiting code guesses: the
	// server's, which decides which proxies it trusts (api.ForwardedFor), handed over at
	// wiring. Nil counts every request as coming from one client.
	ClientAddr func(*http.Request) netip.Addr
	// Refresh is how often a page that waits for the phone reloads itself; DefaultRefresh
	// when zero.
	Refresh time.Duration
	// PublicURL is where employees reach the server, under which the provider sends them
	// back after signing in; nil takes the host each request came to.
	PublicURL *url.URL
	Log       *slog.Logger
}

// Portal serves the employee portal.
type Portal struct {
	cfg     Config
	catalog *ui.Catalog
	pages   map[string]*template.Template
}

// New returns the portal.
func New(cfg Config) (*Portal, error) {
	if cfg.Service == nil {
		return nil, errors.New("portal: no domain service")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = oneClient
	}
	if cfg.Refresh < time.Second {
		cfg.Refresh = DefaultRefresh
	}
	catalog, err := Catalog()
	if err != nil {
		return nil, err
	}
	tmpl, _ := fs.Sub(files, "templates")
	pages, err := ui.Templates(tmpl, nil, []string{progressTemplate},
		pageNotice, pageIOS, pageStatus, pageGone, pageProblem, pageEnter, pageSetup, pageRemoved, pageRemove, pageLost)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return &Portal{cfg: cfg, catalog: catalog, pages: pages}, nil
}

// Catalog returns the portal's messages with the layout's.
func Catalog() (*ui.Catalog, error) {
	own, _ := fs.Sub(files, "locales")
	c, err := ui.NewCatalog(ui.Messages(), own)
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	return c, nil
}

// Handler serves the portal's routes under /e/. Forms are protected against cross-site
// requests by the browser's Fetch metadata and Origin headers (net/http's
// CrossOriginProtection); their target also holds the invitation code, which another site
// cannot know.
func (p *Portal) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /e/{$}", p.serveEnter)
	mux.HandleFunc("GET /e/{code}", p.serveInvitation)
	mux.HandleFunc("POST /e/{code}/accept", p.serveAccept)
	mux.HandleFunc("GET /e/{code}/remove", p.serveRemoveConfirmation)
	mux.HandleFunc("POST /e/{code}/remove", p.serveRemove)
	mux.HandleFunc("GET /e/{code}/lost", p.serveLostConfirmation)
	mux.HandleFunc("POST /e/{code}/lost", p.serveLost)
	mux.HandleFunc("GET /e/{code}/android.png", p.serveAndroidQR)
	mux.HandleFunc("GET "+pathSignedIn, p.serveSignedIn)
	return http.MaxBytesHandler(http.NewCrossOriginProtection().Handler(mux), 16<<10)
}

// page returns the layout data of a page for r; its header names the employer whose
// invitation the request opened, if it opened one (open).
func (p *Portal) page(r *http.Request, titleID string, body any) ui.Page {
	l := p.catalog.Localizer(ui.Lang(r))
	u := *r.URL
	employer, _ := r.Context().Value(employerKey{}).(string)
	return ui.Page{Localizer: l, Title: l.T(titleID), URL: &u, Body: body, Organisation: employer}
}

// employerKey carries in a request's context the display name of the tenant whose
// invitation the request opened.
type employerKey struct{}

// open opens the invitation of the code and returns it with r carrying the name of the
// employer who sent it, so that every page the request is answered with — the
// invitation's own, or the one saying that IT is still setting up or that the work area
// was removed — names in its header who asks. An unknown code names nobody.
func (p *Portal) open(r *http.Request, code string) (enrolment.PortalView, *http.Request, error) {
	v, err := p.cfg.Service.Enrolment.OpenInvitation(r.Context(), p.cfg.ClientAddr(r), code)
	employer := v.Tenant.DisplayName
	if removed := (*enrolment.WorkAreaRemovedError)(nil); errors.As(err, &removed) {
		employer = removed.Employer
	}
	if employer != "" {
		r = r.WithContext(context.WithValue(r.Context(), employerKey{}, employer))
	}
	return v, r, err
}

// render writes a page and logs what cannot be written.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name, titleID string, body any) {
	ui.RememberLang(w, r)
	if err := ui.Render(w, status, p.pages[name], p.page(r, titleID, body)); err != nil {
		p.cfg.Log.Error("render portal page", "page", name, "error", err)
	}
}

// problem is what the problem page says: a heading and what to do.
type problem struct {
	Heading, Text string
}

// fail answers an error of the domain with the page that fits it. A platform the tenant
// has not set up yet gets a page that says IT is still at it; a code whose work area was
// removed says so and what to do next. Every other reason a code leads nowhere gets the
// same page and status, so that the answer tells a guesser nothing; the reason is logged
// at debug level only.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	var notSetUp *mdm.NotSetUpError
	switch {
	case errors.As(err, &notSetUp):
		p.render(w, r, http.StatusOK, pageSetup, "setup.title", nil)
	case errors.Is(err, enrolment.ErrWorkAreaRemoved):
		p.serveRemoved(w, r, err)
	case errors.Is(err, enrolment.ErrInvitationGone):
		p.cfg.Log.Debug("portal: unusable invitation code", "reason", err)
		p.render(w, r, http.StatusNotFound, pageGone, "gone.title", nil)
	case errors.Is(err, enrolment.ErrTooManyGuesses):
		w.Header().Set("Retry-After", fmt.Sprint(int(enrolment.GuessWindow.Seconds())))
		p.render(w, r, http.StatusTooManyRequests, pageProblem, "problem.too_many.title",
			problem{Heading: "problem.too_many.title", Text: "problem.too_many.text"})
	default:
		p.cfg.Log.Error("portal request failed", "path", redactCode(r.URL.Path), "error", err)
		p.render(w, r, http.StatusInternalServerError, pageProblem, "problem.internal.title",
			problem{Heading: "problem.internal.title", Text: "problem.internal.text"})
	}
}

// redactCode hides the invitation code of a portal path, for logs.
func redactCode(path string) string {
	rest, ok := strings.CutPrefix(path, "/e/")
	if !ok || rest == "" {
		return path
	}
	_, tail, _ := strings.Cut(rest, "/")
	return "/e/…/" + tail
}

// codeURL returns the portal address of the code with the sub-path, as the pages link it.
func codeURL(code string, sub ...string) string {
	return (&url.URL{Path: "/" + strings.Join(append([]string{"e", code}, sub...), "/")}).String()
}

// withLang adds the page's language to a link of the portal, so that forms and redirects
// keep the language the employee reads in, whatever the browser sends with them.
func withLang(r *http.Request, link string) string {
	sep := "?"
	if strings.Contains(link, "?") {
		sep = "&"
	}
	return link + sep + "lang=" + ui.Lang(r)
}

// dateFormat is how the page's language writes a day.
func dateFormat(r *http.Request) string {
	if ui.Lang(r) == "en" {
		return "2 January 2006"
	}
	return "02.01.2006"
}

// oneClient is the client address without the server's function: every request counts
// as the same client, so guesses are limited all the stricter.
func oneClient(*http.Request) netip.Addr { return netip.Addr{} }
