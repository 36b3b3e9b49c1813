package vppfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
)

// withOrg counts the request, answers the rate limits and failures that were asked for,
// and finds the organisation of the bearer token; the handler runs with the lock held.
func (s *Server) withOrg(h func(w http.ResponseWriter, r *http.Request, o *org)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests[r.Pattern]++
		if s.throttle > 0 {
			s.throttle--
			w.Header().Set("Retry-After", strconv.Itoa(int(s.pause.Seconds())))
			writeError(w, http.StatusTooManyRequests, 0, "Too many requests")
			return
		}
		if s.failures > 0 {
			s.failures--
			writeError(w, http.StatusInternalServerError, vpp.ErrInternal, "Internal error")
			return
		}
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		o := s.orgs[token]
		switch {
		case o == nil:
			writeError(w, http.StatusUnauthorized, vpp.ErrTokenInvalid, "Invalid authentication token")
		case o.revoked:
			writeError(w, http.StatusUnauthorized, vpp.ErrTokenRevoked, "The sToken has been revoked")
		case !time.Now().Before(o.expires):
			writeError(w, http.StatusUnauthorized, vpp.ErrTokenExpired, "The sToken has expired")
		default:
			h(w, r, o)
		}
	}
}

func writeError(w http.ResponseWriter, status, number int, message string) {
	body := map[string]any{"errorMessage": message}
	if number != 0 {
		body["errorNumber"] = number
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (o *org) expiry() string { return o.expires.UTC().Format("2006-01-02T15:04:05-0700") }

func (s *Server) clientConfig(w http.ResponseWriter, _ *http.Request, o *org) {
	writeJSON(w, http.StatusOK, map[string]any{"locationName": o.name, "countryISO2ACode": "DE", "uId": o.name,
		"tokenExpirationDate": o.expiry(), "clientContext": ""})
}

func (s *Server) assets(w http.ResponseWriter, r *http.Request, o *org) {
	page := 0
	if p := r.URL.Query().Get("pageIndex"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, 9602, "Invalid argument: pageIndex")
			return
		}
		page = n
	}
	pages := max((len(o.assets)+PageSize-1)/PageSize, 1)
	out := []vpp.Asset{}
	for _, a := range o.assets[min(page*PageSize, len(o.assets)):min((page+1)*PageSize, len(o.assets))] {
		out = append(out, a.Asset)
	}
	body := map[string]any{"assets": out, "currentPageIndex": page, "totalPages": pages, "size": len(o.assets),
		"tokenExpirationDate": o.expiry(), "uId": o.name, "versionId": "1"}
	if page+1 < pages {
		body["nextPageIndex"] = page + 1
	}
	writeJSON(w, http.StatusOK, body)
}

// newEvent records an asynchronous event that is done after s.pendingPolls polls.
func (s *Server) newEvent(o *org, kind string, requested int, failures []vpp.Failure) string {
	s.events++
	id := fmt.Sprintf("%08d-0000-4000-8000-%012d", s.events, s.events)
	status := vpp.EventComplete
	if len(failures) > 0 {
		status = vpp.EventFailed
	}
	o.events[id] = &event{Event: vpp.Event{Status: status, Type: kind, NumRequested: requested,
		NumCompleted: requested - len(failures), Failures: failures}}
	return id
}

func (s *Server) createUsers(w http.ResponseWriter, r *http.Request, o *org) {
	var in struct {
		Users []vpp.User `json:"users"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Users) == 0 {
		writeError(w, http.StatusBadRequest, 9602, "Invalid argument: users")
		return
	}
	for _, u := range in.Users {
		if u.ClientUserID == "" {
			writeError(w, http.StatusBadRequest, 9602, "Invalid argument: clientUserId")
			return
		}
		if _, known := o.users[u.ClientUserID]; !known {
			o.users[u.ClientUserID] = int32(len(o.names))
			o.names = append(o.names, u.ClientUserID)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"eventId": s.newEvent(o, "CREATE_USERS", len(in.Users), nil),
		"tokenExpirationDate": o.expiry(), "uId": o.name})
}

// manage associates (or disassociates) licences at once, and reports it through an event
// that is pending for a while, as Apple does.
func (s *Server) manage(associate bool) func(http.ResponseWriter, *http.Request, *org) {
	return func(w http.ResponseWriter, r *http.Request, o *org) {
		var in struct {
			Assets        []vpp.AssetRef `json:"assets"`
			ClientUserIDs []string       `json:"clientUserIds"`
			SerialNumbers []string       `json:"serialNumbers"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Assets) == 0 ||
			len(in.ClientUserIDs) == 0 || len(in.ClientUserIDs)*len(in.Assets) > vpp.MaxPerRequest {
			writeError(w, http.StatusBadRequest, 9602, "Invalid argument")
			return
		}
		var failures []vpp.Failure
		for _, ref := range in.Assets {
			a := o.asset(ref.AdamID)
			for _, u := range in.ClientUserIDs {
				fail := func(n int, msg string) {
					failures = append(failures, vpp.Failure{AdamID: ref.AdamID, ClientUserID: u, ErrorNumber: n, ErrorMessage: msg})
				}
				n, known := o.users[u]
				var holds bool
				if a != nil && known {
					_, holds = o.licences[a.AdamID][n]
				}
				switch {
				case a == nil:
					fail(9602, "Invalid argument: adamId")
				case !known:
					fail(9609, "Registered user not found")
				case associate && holds:
					// Already holds one: nothing to do.
				case associate && a.AvailableCount == 0:
					fail(vpp.ErrLicenceNotFound, "License not found: no licences available")
				case associate:
					o.licences[a.AdamID][n] = struct{}{}
					a.AssignedCount++
					a.AvailableCount--
				case holds:
					delete(o.licences[a.AdamID], n)
					a.AssignedCount--
					a.AvailableCount = max(a.TotalCount-a.AssignedCount, 0)
				}
			}
		}
		kind := "ASSOCIATE"
		if !associate {
			kind = "DISASSOCIATE"
		}
		id := s.newEvent(o, kind, len(in.Assets)*len(in.ClientUserIDs), failures)
		writeJSON(w, http.StatusOK, map[string]any{"eventId": id, "tokenExpirationDate": o.expiry(), "uId": o.name})
	}
}

func (o *org) asset(adamID string) *asset {
	for _, a := range o.assets {
		if a.AdamID == adamID {
			return a
		}
	}
	return nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, o *org) {
	e := o.events[r.PathValue("eventId")]
	if e == nil {
		writeError(w, http.StatusBadRequest, 9602, "Invalid argument: eventId")
		return
	}
	answer := e.Event
	switch {
	case e.polls < s.pendingPolls:
		answer = vpp.Event{Status: vpp.EventPending, Type: e.Type, NumRequested: e.NumRequested}
	case e.polls == s.pendingPolls:
		o.forgetOldEvents(r.PathValue("eventId"))
	}
	e.polls++
	writeJSON(w, http.StatusOK, answer)
}

// forgetOldEvents notes that the event was answered as done, and forgets the oldest
// answered event once more than keptEvents were.
func (o *org) forgetOldEvents(id string) {
	o.answered = append(o.answered, id)
	if len(o.answered) > keptEvents {
		delete(o.events, o.answered[0])
		o.answered = o.answered[1:]
	}
}

// lookup answers the metadata service's question for the apps of every organisation.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[r.Pattern]++
	results := map[string]vpp.AppMetadata{}
	for _, id := range strings.Split(r.URL.Query().Get("id"), ",") {
		for _, o := range s.orgs {
			if a := o.asset(id); a != nil {
				results[id] = vpp.AppMetadata{AdamID: id, Name: a.name, BundleID: a.bundleID}
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}
