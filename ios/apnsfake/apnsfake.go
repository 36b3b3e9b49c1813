// Package apnsfake is a local stand-in for Apple's Push Notification service, for tests,
// demo mode and load runs: an HTTP/2 server over TLS that answers POST /3/device/{token}
// the way APNs does (200 with an apns-id, or an error status with {"reason": …}), asks for
// the client's push certificate and refuses a topic the certificate is not for.
package apnsfake

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/micromdm/nanomdm/cryptoutil"
)

// Push is one notification the fake accepted.
type Push struct {
	Token   string // hex
	Topic   string
	Type    string // apns-push-type
	Payload map[string]any
}

// Server is a running fake.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	pushes   []Push
	count    int                // pushes accepted, also those no longer kept
	keep     int                // how many of the latest pushes are kept; 0: all
	failures map[string]failure // by token
	onPush   func(Push)
}

type failure struct {
	status int
	reason string
	times  int // how many more pushes fail; <0 for always
}

// Start runs a fake on a local port; Close stops it.
func Start() *Server {
	s := &Server{failures: make(map[string]failure)}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.EnableHTTP2 = true
	s.srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	s.srv.StartTLS()
	return s
}

// URL is the base URL to give the pusher (TRENNWAND_APNS_URL).
func (s *Server) URL() string { return s.srv.URL }

// Roots trust the fake's server certificate.
func (s *Server) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.srv.Certificate())
	return pool
}

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// OnPush calls fn, in the request, with every accepted push (a simulated phone checks in
// when it is pushed).
func (s *Server) OnPush(fn func(Push)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPush = fn
}

// Fail makes the next `times` pushes to token fail with the status and reason (times < 0:
// every push), as APNs answers an unknown token (410 Unregistered) or an overload (429,
// 503).
func (s *Server) Fail(token string, status int, reason string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[token] = failure{status: status, reason: reason, times: times}
}

// KeepLast makes the fake keep only the latest n pushes (Count still counts them all), so
// that a long-running demo server's memory does not grow with every push it ever made.
func (s *Server) KeepLast(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep = n
	s.trim()
}

// trim drops the pushes beyond the newest s.keep; s.mu is held.
func (s *Server) trim() {
	if s.keep > 0 && len(s.pushes) > 2*s.keep {
		s.pushes = append([]Push(nil), s.pushes[len(s.pushes)-s.keep:]...)
	}
}

// Pushes returns the pushes accepted so far (the latest ones, after KeepLast).
func (s *Server) Pushes() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Push(nil), s.pushes...)
}

// Count is the number of pushes accepted so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	switch {
	case r.Method != http.MethodPost:
		refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	case !ok || token == "":
		refuse(w, http.StatusNotFound, "BadPath")
		return
	}
	if _, err := hex.DecodeString(token); err != nil || len(token) < 16 {
		refuse(w, http.StatusBadRequest, "BadDeviceToken")
		return
	}
	topic := r.Header.Get("apns-topic")
	if topic == "" {
		refuse(w, http.StatusBadRequest, "MissingTopic")
		return
	}
	if certTopic := clientTopic(r); certTopic != topic {
		refuse(w, http.StatusBadRequest, "DeviceTokenNotForTopic")
		return
	}
	var payload map[string]any
	body, err := io.ReadAll(io.LimitReader(r.Body, 5<<10))
	if err != nil || json.Unmarshal(body, &payload) != nil {
		refuse(w, http.StatusBadRequest, "PayloadEmpty")
		return
	}
	s.mu.Lock()
	if f, ok := s.failures[token]; ok && f.times != 0 {
		if f.times > 0 {
			f.times--
			s.failures[token] = f
		}
		s.mu.Unlock()
		refuse(w, f.status, f.reason)
		return
	}
	p := Push{Token: token, Topic: topic, Type: r.Header.Get("apns-push-type"), Payload: payload}
	s.pushes = append(s.pushes, p)
	s.count++
	s.trim()
	onPush := s.onPush
	s.mu.Unlock()
	if onPush != nil {
		onPush(p)
	}
	w.Header().Set("apns-id", newID())
	w.WriteHeader(http.StatusOK)
}

// clientTopic is the topic of the push certificate the client presented.
func clientTopic(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	topic, err := cryptoutil.TopicFromCert(r.TLS.PeerCertificates[0])
	if err != nil {
		return ""
	}
	return topic
}

func refuse(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("apns-id", newID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"reason": reason})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return strings.ToUpper(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
}
