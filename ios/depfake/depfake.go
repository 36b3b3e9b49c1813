// Package depfake is a local stand-in for Apple's device assignment service (the DEP API
// of Automated Device Enrollment, which Apple Business Manager feeds), for tests and
// serve --demo: the paths, JSON and error bodies that github.com/micromdm/nanodep speaks —
// the OAuth 1 session at /session (HMAC-SHA1, checked), X-ADM-Auth-Session on every other
// request, /account, /server/devices and /devices/sync with cursors, /profile and
// /profile/devices — and the server token file (.p7m) that the organisation downloads,
// encrypted to the certificate the MDM server handed out.
package depfake

import (
	"crypto/rand"
	"encoding/hex"
	"maps"
	"net/http/httptest"
	"sync"
	"time"
)

// Server is the fake. Its methods set up the organisation's devices and look at what the
// requests did; they are safe for concurrent use with the requests.
type Server struct {
	mu       sync.Mutex
	tokens   Tokens
	sessions map[string]bool
	devices  map[string]*device // by serial number
	order    []string           // serial numbers as they were added
	// log is every change to the devices, which /devices/sync reads after a cursor.
	log      []change
	profiles map[string]Profile // by UUID
	requests map[string]int
	ts       *httptest.Server
}

// Tokens are the OAuth 1 tokens of the organisation's MDM server, what the server token
// file carries (Apple's key names).
type Tokens struct {
	ConsumerKey       string    `json:"consumer_key"`
	ConsumerSecret    string    `json:"consumer_secret"`
	AccessToken       string    `json:"access_token"`
	AccessSecret      string    `json:"access_secret"`
	AccessTokenExpiry time.Time `json:"access_token_expiry"`
}

// Device is one device the organisation bought and assigned to the MDM server.
type Device struct {
	SerialNumber  string `json:"serial_number"`
	Model         string `json:"model"`
	Description   string `json:"description"`
	DeviceFamily  string `json:"device_family"`
	OS            string `json:"os"`
	ProfileUUID   string `json:"profile_uuid,omitempty"`
	ProfileStatus string `json:"profile_status"`
}

type device struct {
	Device
	assigned time.Time
}

// change is one entry of the devices' log: added, modified or deleted.
type change struct {
	op     string
	device Device
	at     time.Time
}

// Profile is an enrolment profile the MDM server defined, with the keys the fake reads.
type Profile struct {
	ProfileName  string   `json:"profile_name"`
	URL          string   `json:"url"`
	WebURL       string   `json:"configuration_web_url,omitempty"`
	IsSupervised bool     `json:"is_supervised"`
	IsMandatory  bool     `json:"is_mandatory"`
	Removable    bool     `json:"is_mdm_removable"`
	AnchorCerts  []string `json:"anchor_certs,omitempty"`
	Department   string   `json:"department,omitempty"`
	Devices      []string `json:"devices,omitempty"`
}

// New returns a fake that is not listening, with fresh tokens; serve its Handler, or Start
// it.
func New() *Server {
	return &Server{
		tokens: Tokens{ConsumerKey: "CK_" + randomHex(16), ConsumerSecret: "CS_" + randomHex(16),
			AccessToken: "AT_" + randomHex(16), AccessSecret: "AS_" + randomHex(16),
			AccessTokenExpiry: time.Now().AddDate(1, 0, 0).UTC().Truncate(time.Second)},
		sessions: map[string]bool{}, devices: map[string]*device{}, profiles: map[string]Profile{}, requests: map[string]int{},
	}
}

// Start returns a fake listening on a local port; Close stops it.
func Start() *Server {
	s := New()
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// URL is the base URL of the service (Apple's is https://mdmenrollment.apple.com/).
func (s *Server) URL() string { return s.ts.URL + "/" }

// Close stops a started fake.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Tokens returns the organisation's OAuth 1 tokens.
func (s *Server) Tokens() Tokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// SetTokenExpiry makes the server token files handed out from now on end at the time, as
// a token renewed late in its year does.
func (s *Server) SetTokenExpiry(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.AccessTokenExpiry = at.UTC().Truncate(time.Second)
}

// AddDevice assigns a device the organisation bought to the MDM server, as IT does in
// Apple Business Manager.
func (s *Server) AddDevice(serial, model, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &device{Device: Device{SerialNumber: serial, Model: model, Description: description, DeviceFamily: "iPhone",
		OS: "iOS", ProfileStatus: "empty"}, assigned: time.Now().UTC()}
	s.devices[serial] = d
	s.order = append(s.order, serial)
	s.logChange("added", d.Device)
}

// RemoveDevice takes a device away from the MDM server (it was sold or given back).
func (s *Server) RemoveDevice(serial string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[serial]
	if !ok {
		return
	}
	delete(s.devices, serial)
	for i, o := range s.order {
		if o == serial {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.logChange("deleted", d.Device)
}

// Device returns the device with the serial number, as the service sees it.
func (s *Server) Device(serial string) (Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[serial]
	if !ok {
		return Device{}, false
	}
	return d.Device, true
}

// Profile returns the profile with the UUID.
func (s *Server) Profile(uuid string) (Profile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.profiles[uuid]
	return p, ok
}

// Requests returns how many requests each path got ("POST /devices/sync").
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}

// logChange appends a change to the log; the caller holds mu.
func (s *Server) logChange(op string, d Device) {
	s.log = append(s.log, change{op: op, device: d, at: time.Now().UTC()})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
