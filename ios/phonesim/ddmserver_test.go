package phonesim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/test/protocol"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
)

// ddmServer plays the server's side of Declarative Device Management for one phone: it
// holds a declaration set, queues commands, answers the DeclarativeManagement check-ins
// and keeps every request and status report it got.
type ddmServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	token    string                       // the declarations token
	set      map[string]servedDeclaration // by identifier
	commands [][]byte
	// endpoints are the DeclarativeManagement endpoints asked for, in order.
	endpoints []string
	reports   []statusReport
	// results are the command results the phone sent, by command UUID.
	results map[string][]byte
	// broken is an endpoint the server answers with 500, as one that lost its database.
	broken string
}

// servedDeclaration is one declaration of the set, with its kind.
type servedDeclaration struct {
	kind string
	doc  []byte
}

func newDDMServer(t *testing.T) *ddmServer {
	s := &ddmServer{t: t, set: make(map[string]servedDeclaration), results: make(map[string][]byte)}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /mdm/checkin", s.checkIn)
	mux.HandleFunc("PUT /mdm/connect", s.connect)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// put adds or replaces a declaration; its ServerToken comes from its content, and the
// declarations token changes with the set.
func (s *ddmServer) put(kind, typ, identifier, payload string) {
	s.t.Helper()
	if err := ddmschema.Check(typ, []byte(payload), true); err != nil {
		s.t.Fatalf("the test serves an invalid %s: %v", identifier, err)
	}
	s.putRaw(kind, typ, identifier, payload)
}

// putRaw is put without the schema check, for declarations the phone must refuse.
func (s *ddmServer) putRaw(kind, typ, identifier, payload string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, err := json.Marshal(map[string]any{"Type": typ, "Identifier": identifier,
		"ServerToken": contentToken(typ + payload), "Payload": json.RawMessage(payload)})
	if err != nil {
		s.t.Fatal(err)
	}
	s.set[identifier] = servedDeclaration{kind: kind, doc: doc}
	s.token = contentToken(string(mustJSON(s.t, s.listsLocked())))
}

func (s *ddmServer) remove(identifier string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.set, identifier)
	s.token = contentToken(string(mustJSON(s.t, s.listsLocked())))
}

// contentToken is a server token derived from content, as the server derives its own.
func contentToken(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// testKey is one RSA key the test phones share: making one per phone would only make the
// tests slow.
var testKey = sync.OnceValues(NewKey)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// itemsLocked is the declaration-items answer.
func (s *ddmServer) itemsLocked() map[string]any {
	return map[string]any{"Declarations": s.listsLocked(), "DeclarationsToken": s.token}
}

// listsLocked are the declaration items by kind.
func (s *ddmServer) listsLocked() map[string][]map[string]string {
	lists := map[string][]map[string]string{"Activations": {}, "Configurations": {}, "Assets": {}, "Management": {}}
	names := map[string]string{"activation": "Activations", "configuration": "Configurations", "asset": "Assets", "management": "Management"}
	for id, d := range s.set {
		var env struct{ ServerToken string }
		_ = json.Unmarshal(d.doc, &env)
		lists[names[d.kind]] = append(lists[names[d.kind]], map[string]string{"Identifier": id, "ServerToken": env.ServerToken})
	}
	for _, l := range lists {
		slices.SortFunc(l, func(a, b map[string]string) int { return strings.Compare(a["Identifier"], b["Identifier"]) })
	}
	return lists
}

// sync queues a DeclarativeManagement command; with inline set, it carries the tokens.
func (s *ddmServer) sync(uuid string, inline bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := map[string]any{"RequestType": "DeclarativeManagement"}
	if inline {
		cmd["Data"] = mustJSON(s.t, s.tokensLocked())
	}
	s.queue(uuid, cmd)
}

// command queues any other command.
func (s *ddmServer) command(uuid string, cmd map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue(uuid, cmd)
}

func (s *ddmServer) queue(uuid string, cmd map[string]any) {
	b, err := plist.Marshal(map[string]any{"CommandUUID": uuid, "Command": cmd})
	if err != nil {
		s.t.Fatal(err)
	}
	s.commands = append(s.commands, b)
}

func (s *ddmServer) tokensLocked() map[string]any {
	return map[string]any{"SyncTokens": map[string]string{"DeclarationsToken": s.token, "Timestamp": "2026-12-06T16:00:00Z"}}
}

// checkIn answers the check-in endpoint; every message must be signed and carry the
// phone's bearer token.
func (s *ddmServer) checkIn(w http.ResponseWriter, r *http.Request) {
	body := s.read(w, r)
	if body == nil {
		return
	}
	msg, err := apple.DecodeCheckin(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	dm, ok := msg.(*apple.DeclarativeManagement)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endpoints = append(s.endpoints, dm.Endpoint)
	switch {
	case dm.Endpoint == s.broken:
		http.Error(w, "database gone", http.StatusInternalServerError)
	case dm.Endpoint == "tokens":
		_, _ = w.Write(mustJSON(s.t, s.tokensLocked()))
	case dm.Endpoint == "declaration-items":
		_, _ = w.Write(mustJSON(s.t, s.itemsLocked()))
	case dm.Endpoint == "status":
		var rep statusReport
		if err := json.Unmarshal(dm.Data, &rep); err != nil {
			http.Error(w, "status report: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.reports = append(s.reports, rep)
	case strings.HasPrefix(dm.Endpoint, "declaration/"):
		kind, id, _ := strings.Cut(strings.TrimPrefix(dm.Endpoint, "declaration/"), "/")
		d, ok := s.set[id]
		if !ok || d.kind != kind {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(d.doc)
	default:
		http.Error(w, "unknown endpoint "+dm.Endpoint, http.StatusBadRequest)
	}
}

// connect answers the command endpoint: it keeps the result and hands over the next
// queued command.
func (s *ddmServer) connect(w http.ResponseWriter, r *http.Request) {
	body := s.read(w, r)
	if body == nil {
		return
	}
	res, err := apple.DecodeCommandResults(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res.CommandUUID != "" {
		s.results[res.CommandUUID] = body
	}
	if len(s.commands) > 0 {
		_, _ = w.Write(s.commands[0])
		s.commands = s.commands[1:]
	}
}

func (s *ddmServer) read(w http.ResponseWriter, r *http.Request) []byte {
	if r.Header.Get(protocol.MDMSignatureHeader) == "" || r.Header.Get("Authorization") != "Bearer enrolment-token" {
		http.Error(w, "unsigned or without the enrolment's token", http.StatusUnauthorized)
		return nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil
	}
	return body
}

// taken returns what the server got so far and forgets it: the endpoints asked for and
// the status reports.
func (s *ddmServer) taken() ([]string, []statusReport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, r := s.endpoints, s.reports
	s.endpoints, s.reports = nil, nil
	return e, r
}

func (s *ddmServer) breakAt(endpoint string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken = endpoint
}

func (s *ddmServer) result(uuid string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m map[string]any
	if err := plist.Unmarshal(s.results[uuid], &m); err != nil {
		s.t.Fatalf("result of %s: %v", uuid, err)
	}
	return m
}

// phoneAt returns a phone on the iOS version that has enrolled with the server: it holds
// an identity, the MDM endpoints and the enrolment's token, as after its profile.
func phoneAt(t *testing.T, s *ddmServer, osVersion string) *Phone {
	t.Helper()
	p := New(Config{Server: s.srv.URL, Client: s.srv.Client(), Keys: testKey, OSVersion: osVersion}, "erika@stadt.example")
	key, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := selfSigned(key, p.enrollmentID)
	if err != nil {
		t.Fatal(err)
	}
	p.identity, p.token = identity{key: key, cert: cert}, "enrolment-token"
	p.transport = protocol.NewTransport(protocol.WithSignMessage(), protocol.WithIdentityProvider(p.identity.provide),
		protocol.WithMDMURLs(s.srv.URL+"/mdm/connect", s.srv.URL+"/mdm/checkin"), protocol.WithClient(bearerDoer{p}))
	return p
}
