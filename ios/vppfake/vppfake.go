// Package vppfake is a local stand-in for Apple's Apps and Books for Organizations API
// (version 2) and its content metadata lookup, for tests, serve --demo and the simulator:
// the same paths, JSON and error numbers, licence counts that associations use up and
// disassociations give back, asynchronous events that are pending until polled, and rate
// limiting answered with 429 and Retry-After.
package vppfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/trennwand/trennwand/ios/vpp"
)

// PageSize is how many assets one page of GET /assets holds.
const PageSize = 100

// Server is the fake. Its methods set up organisations and apps and look at what the
// requests did; they are safe for concurrent use with the requests.
type Server struct {
	mu       sync.Mutex
	orgs     map[string]*org // by sToken
	throttle int
	pause    time.Duration
	failures int
	requests map[string]int
	events   int
	// pendingPolls is how often a new event answers PENDING before it is done.
	pendingPolls int
	ts           *httptest.Server
}

// org is what Apple holds for one content token. It is kept compact, since serve --demo
// carries it for every enrolled phone: a user is a number, its clientUserId is held once,
// and of the events that were answered as done only the last keptEvents are kept, as
// Apple forgets old events too.
type org struct {
	name     string
	expires  time.Time
	revoked  bool
	assets   []*asset
	users    map[string]int32              // clientUserId → number
	names    []string                      // number → clientUserId
	licences map[string]map[int32]struct{} // adamId → the numbers of the users holding one
	events   map[string]*event
	answered []string // the done events answered, oldest first, at most keptEvents
}

// keptEvents is how many events answered as done an organisation keeps for a second
// question; an older one is unknown, as at Apple.
const keptEvents = 4096

type asset struct {
	vpp.Asset
	name, bundleID string
}

type event struct {
	vpp.Event
	polls int
}

// New returns a fake that is not listening; serve its Handler, or Start it.
func New() *Server {
	return &Server{orgs: map[string]*org{}, requests: map[string]int{}, pendingPolls: 1}
}

// Start returns a fake listening on a local port; Close stops it.
func Start() *Server {
	s := New()
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// URL is the base URL of the API (TRENNWAND_VPP_URL); the metadata lookup is served at
// the same host.
func (s *Server) URL() string { return s.ts.URL + "/mdm/v2" }

// MetadataURL is the base URL of the metadata lookup.
func (s *Server) MetadataURL() string { return s.ts.URL }

// Client returns a client of the API and the metadata lookup at a started fake, as
// httptest.Server.Client does for a plain server.
func (s *Server) Client() *vpp.Client {
	client, err := vpp.NewClient(s.URL(), s.MetadataURL(), nil)
	if err != nil {
		panic(err) // only for URLs that do not parse, and the fake's own do
	}
	return client
}

// Close stops a started fake.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Handler serves the API under /mdm/v2/ and the metadata lookup.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mdm/v2/client/config", s.withOrg(s.clientConfig))
	mux.HandleFunc("GET /mdm/v2/assets", s.withOrg(s.assets))
	mux.HandleFunc("POST /mdm/v2/users/create", s.withOrg(s.createUsers))
	mux.HandleFunc("POST /mdm/v2/assets/associate", s.withOrg(s.manage(true)))
	mux.HandleFunc("POST /mdm/v2/assets/disassociate", s.withOrg(s.manage(false)))
	mux.HandleFunc("GET /mdm/v2/status/{eventId}", s.withOrg(s.status))
	mux.HandleFunc("GET /WebObjects/MZStorePlatform.woa/wa/lookup", s.lookup)
	return mux
}

// AddOrganisation makes a content token for an organisation, valid until expires, and
// returns the .vpptoken file.
func (s *Server) AddOrganisation(name string, expires time.Time) []byte {
	file := vpp.EncodeToken(name+"-"+time.Now().Format("150405.000000000"), name, expires)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[string(file)] = &org{name: name, expires: expires, users: map[string]int32{},
		licences: map[string]map[int32]struct{}{}, events: map[string]*event{}}
	return file
}

// AddApp gives the organisation of the token licences of an app.
func (s *Server) AddApp(token []byte, adamID, bundleID, name string, licences int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[strings.TrimSpace(string(token))]
	o.assets = append(o.assets, &asset{Asset: vpp.Asset{AdamID: adamID, PricingParam: "STDQ", ProductType: "App",
		TotalCount: licences, AvailableCount: licences, DeviceAssignable: true, Revocable: true,
		SupportedPlatforms: []string{"iOS", "iPadOS"}}, name: name, bundleID: bundleID})
	o.licences[adamID] = map[int32]struct{}{}
}

// SetLicences changes how many licences of an app the organisation holds (it bought
// more, or some were retired).
func (s *Server) SetLicences(token []byte, adamID string, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[strings.TrimSpace(string(token))]
	for _, a := range o.assets {
		if a.AdamID == adamID {
			a.TotalCount = total
			a.AvailableCount = max(total-a.AssignedCount, 0)
		}
	}
}

// Assigned returns the users holding a licence of the app.
func (s *Server) Assigned(token []byte, adamID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[strings.TrimSpace(string(token))]
	var out []string
	for u := range o.licences[adamID] {
		out = append(out, o.names[u])
	}
	return out
}

// Revoke makes the token unusable, as replacing it in Apple Business Manager does.
func (s *Server) Revoke(token []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.TrimSpace(string(token))].revoked = true
}

// Throttle answers the next n requests with 429 and Retry-After: pause.
func (s *Server) Throttle(n int, pause time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.pause = n, pause
}

// Fail answers the next n requests with Apple's internal error (500, 9603).
func (s *Server) Fail(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = n
}

// Requests returns how many requests each path (method and pattern) has had, rate-limited
// and failed ones included.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}
