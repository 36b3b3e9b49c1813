// Package amapifake is an in-process stand-in for Google's Android Management API: the
// REST surface that google.golang.org/api/androidmanagement/v1 talks to, with the same
// paths, JSON field names (int64 fields as strings) and error bodies
// ({"error":{"code","message","status"}}). It keeps enterprises, applications, policies,
// enrolment tokens, devices and operations in memory, and plays the employee's phone:
// Enrol uses an enrolment token as the Android setup would, ReportStatus sends a status
// report, and both arrive at the enterprise's Pub/Sub push endpoint as Google would
// deliver them. Tests, `trennwand serve --demo` and the simulator use it; it is not a
// security boundary and checks no credentials. A company-owned phone is played too:
// ProvisionFromQRCode sets it up from the setup wizard with the token's QR code, and it
// reports its ownership, serial number and IMEI, takes the company-owned device's
// commands and is erased as a whole when it is deleted (Erased).
package amapifake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	amapi "google.golang.org/api/androidmanagement/v1"
)

// Fake is the fake service. Its zero value is not usable; call New.
type Fake struct {
	mu          sync.Mutex
	enterprises map[string]*amapi.Enterprise      // by name
	signups     map[string]*signup                // by signup URL name
	apps        map[string]*amapi.Application     // by package name, shared by all enterprises
	policies    map[string]*amapi.Policy          // by name
	tokens      map[string]*amapi.EnrollmentToken // by value
	devices     map[string]*amapi.Device          // by name
	operations  map[string]*amapi.Operation       // by name
	webTokens   map[string]*webToken              // by value
	pending     []string                          // operations not yet reported done
	erased      map[string][]string               // wipe flags of company-owned devices erased by deletion, by name
	subscribers map[string]subscriber             // push endpoint by topic
	calls       map[string]int                    // calls by operation ("policies.patch")
	failures    map[string][]int                  // injected HTTP statuses by operation
	published   int
}

type signup struct {
	callbackURL     string
	enterpriseToken string
	existing        string // the enterprise the sign-up ends in, when it exists already
}

// New returns an empty fake.
func New() *Fake {
	return &Fake{
		enterprises: map[string]*amapi.Enterprise{}, signups: map[string]*signup{},
		apps: map[string]*amapi.Application{}, policies: map[string]*amapi.Policy{},
		tokens: map[string]*amapi.EnrollmentToken{}, devices: map[string]*amapi.Device{},
		operations: map[string]*amapi.Operation{}, subscribers: map[string]subscriber{}, webTokens: map[string]*webToken{},
		calls: map[string]int{}, failures: map[string][]int{}, erased: map[string][]string{},
	}
}

// Handler serves the API under /v1/, as androidmanagement.googleapis.com does, and the
// stand-ins of the managed Google Play iframe at PathPlaySearch and of Google's gapi
// script, which opens it, at PathGapiScript. Point the Go client at it
// with option.WithEndpoint(server URL + "/").
func (f *Fake) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/signupUrls", f.op("signupUrls.create", f.createSignupURL))
	mux.HandleFunc("POST /v1/enterprises", f.op("enterprises.create", f.createEnterprise))
	mux.HandleFunc("GET /v1/enterprises/{e}", f.op("enterprises.get", serveGet(f, f.enterprises, "enterprise", "")))
	mux.HandleFunc("PATCH /v1/enterprises/{e}", f.op("enterprises.patch", f.patchEnterprise))
	mux.HandleFunc("GET /v1/enterprises/{e}/applications/{app}", f.op("applications.get", f.getApplication))
	mux.HandleFunc("POST /v1/enterprises/{e}/webTokens", f.op("webTokens.create", f.createWebToken))
	mux.HandleFunc("GET "+PathPlaySearch, f.servePlaySearch)
	mux.HandleFunc("GET "+PathGapiScript, serveGapiScript)
	mux.HandleFunc("GET /v1/enterprises/{e}/policies/{p}", f.op("policies.get", serveGet(f, f.policies, "policy", "/policies/{p}")))
	mux.HandleFunc("PATCH /v1/enterprises/{e}/policies/{p}", f.op("policies.patch", f.patchPolicy))
	mux.HandleFunc("POST /v1/enterprises/{e}/enrollmentTokens", f.op("enrollmentTokens.create", f.createToken))
	mux.HandleFunc("GET /v1/enterprises/{e}/devices", f.op("devices.list", f.listDevices))
	mux.HandleFunc("GET /v1/enterprises/{e}/devices/{d}", f.op("devices.get", serveGet(f, f.devices, "device", "/devices/{d}")))
	mux.HandleFunc("DELETE /v1/enterprises/{e}/devices/{d}", f.op("devices.delete", f.deleteDevice))
	mux.HandleFunc("PATCH /v1/enterprises/{e}/devices/{d}", f.op("devices.patch", f.patchDevice))
	// The client posts to …/devices/{d}:issueCommand; the colon is part of the segment.
	mux.HandleFunc("POST /v1/enterprises/{e}/devices/{d}", f.op("devices.issueCommand", f.issueCommand))
	return mux
}

// op counts a call of the named operation and answers an injected failure instead of
// serving it, if one is due.
func (f *Fake) op(name string, serve http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls[name]++
		var status int
		if queued := f.failures[name]; len(queued) > 0 {
			status, f.failures[name] = queued[0], queued[1:]
		}
		f.mu.Unlock()
		if status != 0 {
			writeError(w, status, "injected failure of "+name)
			return
		}
		serve(w, r)
	}
}

// Fail makes the next calls of the operation (for example "policies.patch") answer the
// HTTP statuses given, one call each, before it works again.
func (f *Fake) Fail(operation string, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[operation] = append(f.failures[operation], statuses...)
}

// Calls returns how many calls of the operation the fake has answered, failures included.
func (f *Fake) Calls(operation string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[operation]
}

// AddApplication makes an app known to every enterprise, as Google Play knows it: its
// package name and the managed properties its managed configuration may set.
func (f *Fake) AddApplication(packageName, title string, props ...*amapi.ManagedProperty) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[packageName] = &amapi.Application{Title: title, ManagedProperties: props}
}

// Policy returns a copy of the stored policy with the name, and whether there is one.
func (f *Fake) Policy(name string) (amapi.Policy, bool) { return copyOf(f, f.policies, name) }

// Device returns a copy of the stored device with the name, and whether there is one.
func (f *Fake) Device(name string) (amapi.Device, bool) { return copyOf(f, f.devices, name) }

// Enterprise returns a copy of the stored enterprise with the name, and whether there is one.
func (f *Fake) Enterprise(name string) (amapi.Enterprise, bool) {
	return copyOf(f, f.enterprises, name)
}

// Snapshot returns everything the fake keeps about enterprises as Google would — the
// enterprises, their policies, enrolment tokens, devices and operations, and the push
// subscriptions — as JSON with sorted keys, so that two snapshots are equal exactly when
// nothing of it changed in between. Sign-up pages in progress are left out.
func (f *Fake) Snapshot() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	subscriptions := make(map[string]string, len(f.subscribers))
	for topic, s := range f.subscribers {
		subscriptions[topic] = s.url
	}
	out, err := json.Marshal(map[string]any{"enterprises": f.enterprises, "policies": f.policies, "tokens": f.tokens,
		"devices": f.devices, "operations": f.operations, "pending": f.pending, "subscriptions": subscriptions})
	if err != nil {
		return "snapshot: " + err.Error()
	}
	return string(out)
}

// copyOf returns a copy of the resource of m with the name, and whether there is one.
func copyOf[T any](f *Fake, m map[string]*T, name string) (T, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := m[name]
	if !ok {
		var zero T
		return zero, false
	}
	return *v, true
}

// CreateEnterprise adds an enterprise, as one created in Google's console before the
// installation binds it, and returns its name.
func (f *Fake) CreateEnterprise(displayName string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &amapi.Enterprise{Name: "enterprises/LC" + randomID(), EnterpriseDisplayName: displayName}
	f.enterprises[e.Name] = e
	return e.Name
}

// randomID returns an identifier in the style of Google's: hex, upper case.
func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// RemoveWorkProfile plays an employee who removes the work profile in the phone's
// settings: the device disappears from the enterprise without a notification.
func (f *Fake) RemoveWorkProfile(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.devices, name)
}

// Unsubscribe stops delivering the topic's messages, as a push subscription that is
// missing or failing would.
func (f *Fake) Unsubscribe(topic string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subscribers, topic)
}
