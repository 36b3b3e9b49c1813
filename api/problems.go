package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// ProblemType is the stable kind of an error of the JSON API: a program acts on it, never
// on the wording of the detail. The list is in docs/api.md and in the OpenAPI document.
type ProblemType string

// problemPrefix makes a problem type a URI (RFC 9457 wants one). It is a name, not a
// page to fetch.
const problemPrefix = "urn:trennwand:problem:"

// The problem types of the JSON API.
const (
	ProblemMalformed        ProblemType = problemPrefix + "malformed-request"
	ProblemInvalidValue     ProblemType = problemPrefix + "invalid-value"
	ProblemSettingRefused   ProblemType = problemPrefix + "setting-refused"
	ProblemCSVRefused       ProblemType = problemPrefix + "csv-refused"
	ProblemNotSetUp         ProblemType = problemPrefix + "platform-not-set-up"
	ProblemManagedAccount   ProblemType = problemPrefix + "managed-account-required"
	ProblemUnauthenticated  ProblemType = problemPrefix + "unauthenticated"
	ProblemForbidden        ProblemType = problemPrefix + "forbidden"
	ProblemTenantRequired   ProblemType = problemPrefix + "tenant-required"
	ProblemCSRF             ProblemType = problemPrefix + "csrf-token-required"
	ProblemNotFound         ProblemType = problemPrefix + "not-found"
	ProblemNoSuchRoute      ProblemType = problemPrefix + "no-such-route"
	ProblemMethodNotAllowed ProblemType = problemPrefix + "method-not-allowed"
	ProblemConflict         ProblemType = problemPrefix + "conflict"
	ProblemTooLarge         ProblemType = problemPrefix + "body-too-large"
	ProblemTooManyRequests  ProblemType = problemPrefix + "too-many-requests"
	ProblemServiceOff       ProblemType = problemPrefix + "service-unavailable"
	ProblemInternal         ProblemType = problemPrefix + "internal"
	// ProblemBlank is RFC 9457's type for a status that needs no kind of its own.
	ProblemBlank ProblemType = "about:blank"
)

// problemContentType is the media type of every error answer of the JSON API.
const problemContentType = "application/problem+json"

// problemKinds gives each problem type its status and title. The title names the kind
// and stays the same from occurrence to occurrence; the detail says what happened.
var problemKinds = map[ProblemType]struct {
	status int
	title  string
}{
	ProblemMalformed:        {http.StatusBadRequest, "The request does not match the API description"},
	ProblemInvalidValue:     {http.StatusBadRequest, "A value of the request was refused"},
	ProblemSettingRefused:   {http.StatusBadRequest, "A setting was refused by one of its rules"},
	ProblemCSVRefused:       {http.StatusBadRequest, "Lines of the CSV file were refused; nothing was imported"},
	ProblemNotSetUp:         {http.StatusBadRequest, "The platform is not set up for this tenant"},
	ProblemManagedAccount:   {http.StatusBadRequest, "An iPhone invitation needs the managed Apple account"},
	ProblemUnauthenticated:  {http.StatusUnauthorized, "No valid credentials"},
	ProblemForbidden:        {http.StatusForbidden, "The role may not do this"},
	ProblemTenantRequired:   {http.StatusForbidden, "This route belongs to a tenant"},
	ProblemCSRF:             {http.StatusForbidden, "A change with the session cookie needs the CSRF token"},
	ProblemNotFound:         {http.StatusNotFound, "No such row in the caller's tenant"},
	ProblemNoSuchRoute:      {http.StatusNotFound, "No such route in the API"},
	ProblemMethodNotAllowed: {http.StatusMethodNotAllowed, "The route does not take this method"},
	ProblemConflict:         {http.StatusConflict, "The row changed or is in the wrong state"},
	ProblemTooLarge:         {http.StatusRequestEntityTooLarge, "The request body is too large"},
	ProblemTooManyRequests:  {http.StatusTooManyRequests, "Too many requests"},
	ProblemServiceOff:       {http.StatusServiceUnavailable, "This part is not available on this server"},
	ProblemInternal:         {http.StatusInternalServerError, "Internal Server Error"},
}

// fieldError is one refused field of a request: a body member by its JSON pointer, a
// parameter by its name, or a line of an uploaded file.
type fieldError struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Line      int    `json:"line,omitempty"`
	Detail    string `json:"detail"`
}

// problem is an error answer of the JSON API (RFC 9457). Legacy repeats the detail as
// "error" for clients written against the API's first error body, {"error": "…"}.
type problem struct {
	Type     ProblemType  `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []fieldError `json:"errors,omitempty"`
	Rule     string       `json:"rule,omitempty"`
	Platform mdm.Platform `json:"platform,omitempty"`
	// Permission is what the caller's role lacks, on ProblemForbidden.
	Permission mdm.Permission `json:"permission,omitempty"`
	Legacy     string         `json:"error"`
}

func (p *problem) Error() string { return p.Detail }

// newProblem returns a problem of the kind with the detail.
func newProblem(t ProblemType, detail string) *problem {
	k := problemKinds[t]
	return &problem{Type: t, Title: k.title, Status: k.status, Detail: detail}
}

// statusProblems is the kind of an echo.HTTPError by its status, for the errors echo and
// its middleware raise themselves and for the handlers' plain refusals.
var statusProblems = map[int]ProblemType{
	http.StatusBadRequest:            ProblemMalformed,
	http.StatusUnauthorized:          ProblemUnauthenticated,
	http.StatusForbidden:             ProblemForbidden,
	http.StatusNotFound:              ProblemNotFound,
	http.StatusMethodNotAllowed:      ProblemMethodNotAllowed,
	http.StatusConflict:              ProblemConflict,
	http.StatusRequestEntityTooLarge: ProblemTooLarge,
	http.StatusTooManyRequests:       ProblemTooManyRequests,
	http.StatusServiceUnavailable:    ProblemServiceOff,
}

// asProblem turns any error of an API request into its problem; ok is false for an error
// whose cause is not the client's to see: the caller logs it and answers the problem,
// ProblemInternal or, for a platform's service that does not answer, ProblemServiceOff.
func asProblem(err error) (p *problem, ok bool) {
	if errors.As(err, &p) {
		return p, true
	}
	if u := (*unavailable)(nil); errors.As(err, &u) {
		return newProblem(ProblemServiceOff, "the platform's service does not answer for now; try again later"), false
	}
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return newProblem(ProblemInternal, ""), false
	}
	t, known := statusProblems[he.Code]
	switch {
	case he == echo.ErrNotFound:
		t = ProblemNoSuchRoute
	case !known && he.Code >= 500:
		return newProblem(ProblemInternal, ""), false
	}
	detail := http.StatusText(he.Code)
	if m, isText := he.Message.(string); isText {
		detail = m
	}
	if !known {
		return &problem{Type: ProblemBlank, Title: http.StatusText(he.Code), Status: he.Code, Detail: detail}, true
	}
	return newProblem(t, detail), true
}

// domainProblem turns the domain's errors into problems: the caller's own mistakes keep
// their message, anything else is returned as it is and becomes a 500 that the error
// handler logs.
func domainProblem(err error) error {
	var notSetUp *mdm.NotSetUpError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notSetUp):
		p := newProblem(ProblemNotSetUp, err.Error())
		p.Platform = notSetUp.Platform
		return p
	case errors.Is(err, enrolment.ErrManagedAccountRequired):
		return newProblem(ProblemManagedAccount, err.Error())
	case errors.Is(err, mdm.ErrNotFound):
		return newProblem(ProblemNotFound, err.Error())
	case errors.Is(err, mdm.ErrConflict):
		return newProblem(ProblemConflict, err.Error())
	case errors.Is(err, mdm.ErrInvalid):
		return newProblem(ProblemInvalidValue, err.Error())
	case errors.Is(err, mdm.ErrUnavailable):
		// What Apple or Google answered stays in the log; the caller learns to try later.
		return &unavailable{cause: err}
	}
	return err
}

// unavailable is a platform's service (Apple, Google) that does not answer for now: the
// caller gets ProblemServiceOff, the log the cause.
type unavailable struct{ cause error }

func (u *unavailable) Error() string { return u.cause.Error() }
func (u *unavailable) Unwrap() error { return u.cause }

// writeProblem answers a request of the JSON API with the problem; a HEAD request gets
// its status and content type only.
func writeProblem(c echo.Context, p *problem) error {
	p.Legacy = p.Detail
	if p.Detail == "" {
		p.Legacy = p.Title
	}
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		p.Instance = "urn:trennwand:request:" + id
	}
	c.Response().Header().Set(echo.HeaderContentType, problemContentType)
	if c.Request().Method == http.MethodHead {
		return c.NoContent(p.Status)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Blob(p.Status, problemContentType, b)
}
