package depfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Handler serves the service's paths.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /session", s.session)
	mux.HandleFunc("GET /account", s.authed(s.account))
	mux.HandleFunc("POST /server/devices", s.authed(s.fetchDevices))
	mux.HandleFunc("POST /devices/sync", s.authed(s.syncDevices))
	mux.HandleFunc("POST /profile", s.authed(s.defineProfile))
	mux.HandleFunc("GET /profile", s.authed(s.getProfile))
	// Apple's documentation says POST; nanodep, like Apple's older servers, uses PUT.
	mux.HandleFunc("PUT /profile/devices", s.authed(s.assignProfile))
	mux.HandleFunc("POST /profile/devices", s.authed(s.assignProfile))
	mux.HandleFunc("DELETE /profile/devices", s.authed(s.clearProfile))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.Method+" "+r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	})
}

// maxBody bounds a request body.
const maxBody = 1 << 20

// session answers the OAuth 1 sign-in with a session token, once the Authorization header
// is signed (HMAC-SHA1) with the organisation's tokens.
func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tok := s.tokens
	s.mu.Unlock()
	if err := verifyOAuth(r, tok); err != nil {
		http.Error(w, `"UNAUTHORIZED: `+err.Error()+`"`, http.StatusUnauthorized)
		return
	}
	if time.Now().After(tok.AccessTokenExpiry) {
		http.Error(w, `"T_C_NOT_SIGNED"`, http.StatusForbidden)
		return
	}
	session := "S_" + randomHex(24)
	s.mu.Lock()
	s.sessions[session] = true
	s.mu.Unlock()
	writeJSON(w, map[string]string{"auth_session_token": session})
}

// authed lets through a request with a session token the fake handed out; any other is
// answered 401, which makes the client sign in again.
func (s *Server) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ok := s.sessions[r.Header.Get("X-ADM-Auth-Session")]
		s.mu.Unlock()
		if !ok {
			http.Error(w, `"UNAUTHORIZED"`, http.StatusUnauthorized)
			return
		}
		if r.Header.Get("X-Server-Protocol-Version") == "" {
			http.Error(w, `"MISSING_PROTOCOL_VERSION"`, http.StatusBadRequest)
			return
		}
		next(w, r)
	}
}

func (s *Server) account(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]string{"server_name": "trennwand", "server_uuid": "7f2a0e51-9c3b-4d8e-a1f6-0b5c2d9e4a73",
		"admin_id": "it@musterstadt.example", "facilitator_id": "it@musterstadt.example", "org_name": "Stadt Musterstadt",
		"org_email": "it@musterstadt.example", "org_phone": "+49 000 000000", "org_address": "Rathausplatz 1, Musterstadt"})
}

// cursorRequest is the body of /server/devices and /devices/sync.
type cursorRequest struct {
	Cursor string `json:"cursor"`
	Limit  int    `json:"limit"`
}

// limit is the page size asked for: Apple's default 100, at most 1000.
func (c cursorRequest) limit() int {
	switch {
	case c.Limit <= 0:
		return 100
	case c.Limit > 1000:
		return 1000
	}
	return c.Limit
}

// A cursor is "f<offset>" while a fetch goes on, "s<log length>" once the devices up to
// that change have been handed out.
func fetchCursor(offset int) string { return "f" + strconv.Itoa(offset) }
func syncCursor(n int) string       { return "s" + strconv.Itoa(n) }

func parseCursor(c string) (kind byte, n int, ok bool) {
	if len(c) < 2 || (c[0] != 'f' && c[0] != 's') {
		return 0, 0, false
	}
	n, err := strconv.Atoi(c[1:])
	return c[0], n, err == nil && n >= 0
}

// fetchDevices hands out every device assigned to the server, a page at a time.
func (s *Server) fetchDevices(w http.ResponseWriter, r *http.Request) {
	var req cursorRequest
	if !readJSON(w, r, &req) {
		return
	}
	offset := 0
	if req.Cursor != "" {
		kind, n, ok := parseCursor(req.Cursor)
		if !ok || kind != 'f' {
			http.Error(w, `"INVALID_CURSOR"`, http.StatusBadRequest)
			return
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	end := min(offset+req.limit(), len(s.order))
	devices := []Device{}
	for _, serial := range s.order[min(offset, end):end] {
		devices = append(devices, s.devices[serial].Device)
	}
	more := end < len(s.order)
	cursor := syncCursor(len(s.log))
	if more {
		cursor = fetchCursor(end)
	}
	writeJSON(w, map[string]any{"devices": devices, "cursor": cursor, "more_to_follow": more, "fetched_until": time.Now().UTC()})
}

// syncDevices hands out the changes after the cursor, with their op_type.
func (s *Server) syncDevices(w http.ResponseWriter, r *http.Request) {
	var req cursorRequest
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kind, n, ok := parseCursor(req.Cursor)
	if !ok || kind != 's' || n > len(s.log) {
		http.Error(w, `"INVALID_CURSOR"`, http.StatusBadRequest)
		return
	}
	end := min(n+req.limit(), len(s.log))
	type synced struct {
		Device
		OpType string    `json:"op_type"`
		OpDate time.Time `json:"op_date"`
	}
	devices := []synced{}
	for _, c := range s.log[n:end] {
		devices = append(devices, synced{Device: c.device, OpType: c.op, OpDate: c.at})
	}
	writeJSON(w, map[string]any{"devices": devices, "cursor": syncCursor(end), "more_to_follow": end < len(s.log),
		"fetched_until": time.Now().UTC()})
}

// defineProfile keeps a profile and assigns it to the devices it names.
func (s *Server) defineProfile(w http.ResponseWriter, r *http.Request) {
	var p Profile
	if !readJSON(w, r, &p) {
		return
	}
	if p.ProfileName == "" || !strings.HasPrefix(p.URL, "https://") {
		http.Error(w, `"FIELD_INVALID: profile_name and an https url are required"`, http.StatusBadRequest)
		return
	}
	uuid := strings.ToUpper(randomHex(16))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[uuid] = p
	writeJSON(w, map[string]any{"profile_uuid": uuid, "devices": s.assign(uuid, p.Devices)})
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.profiles[r.URL.Query().Get("profile_uuid")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, `"PROFILE_NOT_FOUND"`, http.StatusNotFound)
		return
	}
	writeJSON(w, p)
}

// profileDevices is the body of /profile/devices.
type profileDevices struct {
	ProfileUUID string   `json:"profile_uuid"`
	Devices     []string `json:"devices"`
}

func (s *Server) assignProfile(w http.ResponseWriter, r *http.Request) {
	var req profileDevices
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.profiles[req.ProfileUUID]; !ok {
		http.Error(w, `"PROFILE_NOT_FOUND"`, http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]any{"profile_uuid": req.ProfileUUID, "devices": s.assign(req.ProfileUUID, req.Devices)})
}

func (s *Server) clearProfile(w http.ResponseWriter, r *http.Request) {
	var req profileDevices
	if !readJSON(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, map[string]any{"devices": s.assign("", req.Devices)})
}

// assign gives the devices the profile ("" clears it) and says for each whether it could;
// the caller holds mu.
func (s *Server) assign(uuid string, serials []string) map[string]string {
	out := make(map[string]string, len(serials))
	for _, serial := range serials {
		d, ok := s.devices[serial]
		if !ok {
			out[serial] = "NOT_ACCESSIBLE"
			continue
		}
		d.ProfileUUID, d.ProfileStatus = uuid, "assigned"
		if uuid == "" {
			d.ProfileStatus = "removed"
		}
		s.logChange("modified", d.Device)
		out[serial] = "SUCCESS"
	}
	return out
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		http.Error(w, fmt.Sprintf(`"MALFORMED_REQUEST_BODY: %v"`, err), http.StatusBadRequest)
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF8")
	_ = json.NewEncoder(w).Encode(v)
}
