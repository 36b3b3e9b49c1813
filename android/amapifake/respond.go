package amapifake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// statusNames are Google's canonical error statuses for the HTTP codes the fake answers.
var statusNames = map[int]string{
	http.StatusBadRequest:          "INVALID_ARGUMENT",
	http.StatusForbidden:           "PERMISSION_DENIED",
	http.StatusNotFound:            "NOT_FOUND",
	http.StatusConflict:            "ALREADY_EXISTS",
	http.StatusTooManyRequests:     "RESOURCE_EXHAUSTED",
	http.StatusInternalServerError: "INTERNAL",
	http.StatusServiceUnavailable:  "UNAVAILABLE",
}

// writeError answers with Google's error body.
func writeError(w http.ResponseWriter, code int, message string) {
	status, ok := statusNames[code]
	if !ok {
		status = "UNKNOWN"
	}
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": code, "message": message, "status": status}})
}

func notFound(w http.ResponseWriter, what string) {
	writeError(w, http.StatusNotFound, fmt.Sprintf("%s not found", what))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON decodes a request body into v, answering 400 when it is not JSON of that shape.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON payload: "+err.Error())
		return false
	}
	return true
}

// serveGet answers the resource of m named by the request: "enterprises/{e}" followed by
// below, whose wildcards are filled from the path.
func serveGet[T any](f *Fake, m map[string]*T, what, below string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := "enterprises/" + r.PathValue("e") + below
		for _, wildcard := range []string{"p", "d"} {
			name = strings.ReplaceAll(name, "{"+wildcard+"}", r.PathValue(wildcard))
		}
		v, ok := copyOf(f, m, name)
		if !ok {
			notFound(w, what)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// knownEnterprise answers 404 unless the request's enterprise exists; f.mu is held.
func (f *Fake) knownEnterprise(w http.ResponseWriter, r *http.Request) bool {
	if _, ok := f.enterprises["enterprises/"+r.PathValue("e")]; !ok {
		notFound(w, "enterprise")
		return false
	}
	return true
}
