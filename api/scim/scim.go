// Package scim is the SCIM 2.0 endpoint (RFC 7643, RFC 7644) at /scim/v2/ through which
// an identity provider (Entra ID, Keycloak) provisions a tenant's employees: Users
// (create, read, list with the filter userName eq "…", replace, patch, delete), the
// Groups their memberships make, and the discovery documents (ServiceProviderConfig,
// ResourceTypes, Schemas). Only API tokens of the role scim are let in, and each sees its
// own tenant. Every change goes to the directory sub-domain, which treats it as a sync
// treats one person: joiners invited, movers moved, leavers removed after the grace
// period. Errors answer in SCIM's error format; a refused request changes nothing.
//
// The few parts of the protocol used here are parsed by hand (a filter of one
// comparison, the patch operations Entra ID and Keycloak send): a SCIM server library
// would bring its own resource model and storage callbacks beside the directory's
// transaction, for a grammar this endpoint mostly refuses.
package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/directory"
)

// Prefix is where the endpoint answers.
const Prefix = "/scim/v2"

// MaxBody bounds a request's body.
const MaxBody = 256 << 10

// Config is what the endpoint needs.
type Config struct {
	// Authenticate returns who holds the bearer token.
	Authenticate func(ctx context.Context, token string) (mdm.Principal, error)
	// Tenant returns the tenant with the ID.
	Tenant func(ctx context.Context, id string) (mdm.Tenant, error)
	// Directory keeps the provisioned people.
	Directory *directory.Service
}

// Handler is the endpoint.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the endpoint.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+Prefix+"/ServiceProviderConfig", h.serviceProviderConfig)
	h.mux.HandleFunc("GET "+Prefix+"/ResourceTypes", h.resourceTypes)
	h.mux.HandleFunc("GET "+Prefix+"/Schemas", h.schemas)
	h.mux.HandleFunc("GET "+Prefix+"/Users", h.tenant(h.listUsers))
	h.mux.HandleFunc("POST "+Prefix+"/Users", h.tenant(h.createUser))
	h.mux.HandleFunc("GET "+Prefix+"/Users/{id}", h.tenant(h.getUser))
	h.mux.HandleFunc("PUT "+Prefix+"/Users/{id}", h.tenant(h.replaceUser))
	h.mux.HandleFunc("PATCH "+Prefix+"/Users/{id}", h.tenant(h.patchUser))
	h.mux.HandleFunc("DELETE "+Prefix+"/Users/{id}", h.tenant(h.deleteUser))
	h.mux.HandleFunc("GET "+Prefix+"/Groups", h.tenant(h.listGroups))
	h.mux.HandleFunc("POST "+Prefix+"/Groups", h.tenant(h.createGroup))
	h.mux.HandleFunc("GET "+Prefix+"/Groups/{id}", h.tenant(h.getGroup))
	h.mux.HandleFunc("PATCH "+Prefix+"/Groups/{id}", h.tenant(h.patchGroup))
	h.mux.HandleFunc("DELETE "+Prefix+"/Groups/{id}", h.tenant(h.deleteGroup))
	h.mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Detail: "no such SCIM resource or method"})
	})
	return h
}

// ServeHTTP authenticates the caller and answers the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := h.principal(r); err != nil {
		writeError(w, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	h.mux.ServeHTTP(w, r)
}

// principal returns the holder of the request's scim token.
func (h *Handler) principal(r *http.Request) (mdm.Principal, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return mdm.Principal{}, &Error{Status: http.StatusUnauthorized, Detail: "send a token of the role scim as Authorization: Bearer twk_…"}
	}
	who, err := h.cfg.Authenticate(r.Context(), token)
	if errors.Is(err, mdm.ErrUnauthenticated) {
		return who, &Error{Status: http.StatusUnauthorized, Detail: "the token is unknown, expired or revoked"}
	}
	if err != nil {
		return who, err
	}
	if !who.Can(mdm.PermDirectoryProvision) {
		return who, &Error{Status: http.StatusForbidden, Detail: "only tokens of the role scim may provision (trennwand token create --role scim)"}
	}
	return who, nil
}

// tenant hands fn the caller's tenant and actor.
func (h *Handler) tenant(fn func(w http.ResponseWriter, r *http.Request, t mdm.Tenant, actor string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, err := h.principal(r)
		if err != nil {
			writeError(w, err)
			return
		}
		t, err := h.cfg.Tenant(r.Context(), who.TenantID)
		if err != nil {
			writeError(w, err)
			return
		}
		if err := fn(w, r, t, who.Actor); err != nil {
			writeError(w, err)
		}
	}
}

// Error is a SCIM error answer (RFC 7644, section 3.12).
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string { return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail) }

// badRequest is a 400 with the SCIM error type.
func badRequest(scimType, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// writeError answers err in SCIM's format: the domain's refusals as 400, 404 or 409,
// anything else as 500 without its details.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &tooBig):
		e = &Error{Status: http.StatusRequestEntityTooLarge, Detail: "the body is too large"}
	case errors.Is(err, mdm.ErrNotFound):
		e = &Error{Status: http.StatusNotFound, Detail: "no such resource"}
	case errors.Is(err, mdm.ErrConflict):
		e = &Error{Status: http.StatusConflict, ScimType: "uniqueness", Detail: err.Error()}
	case errors.Is(err, mdm.ErrInvalid):
		e = badRequest("invalidValue", "%s", err.Error())
	default:
		e = &Error{Status: http.StatusInternalServerError, Detail: "the request could not be carried out"}
	}
	body := map[string]any{"schemas": []string{schemaError}, "status": fmt.Sprint(e.Status), "detail": e.Detail}
	if e.ScimType != "" {
		body["scimType"] = e.ScimType
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="trennwand"`)
	}
	writeJSON(w, e.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
