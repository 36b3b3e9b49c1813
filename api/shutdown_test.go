package api_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/api"
)

// slowRoute mounts GET /slow, which signals entered and then waits until release is
// called (or its client goes away) before answering 200. The test's end releases it too.
func slowRoute(t *testing.T, h *harness) (entered <-chan struct{}, release func()) {
	enteredc, releasec := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(releasec) }) }
	t.Cleanup(release)
	h.srv.Echo().GET("/slow", func(c echo.Context) error {
		enteredc <- struct{}{}
		select {
		case <-releasec:
		case <-c.Request().Context().Done():
		}
		return c.String(http.StatusOK, "done")
	})
	return enteredc, release
}

type answer struct {
	status int
	err    error
}

// startSlow sends GET /slow in the background and waits until the handler runs.
func startSlow(t *testing.T, h *harness, entered <-chan struct{}) <-chan answer {
	t.Helper()
	answers := make(chan answer, 1)
	go func() {
		req, err := http.NewRequest(http.MethodGet, "https://"+h.addr+"/slow", nil)
		if err != nil {
			answers <- answer{err: err}
			return
		}
		resp, err := h.client.Do(req)
		if err != nil {
			answers <- answer{err: err}
			return
		}
		resp.Body.Close()
		answers <- answer{status: resp.StatusCode}
	}()
	select {
	case <-entered:
	case a := <-answers:
		t.Fatalf("slow request ended before its handler ran: %+v", a)
	}
	return answers
}

func TestShutdownLetsRequestsInFlightFinish(t *testing.T) {
	h := newHarness(t)
	entered, release := slowRoute(t, h)
	h.serve(t)
	answers := startSlow(t, h, entered)

	h.stop()
	waitRefused(t, h.addr)
	release()

	if a := <-answers; a.err != nil || a.status != http.StatusOK {
		t.Errorf("request in flight got %+v, want 200", a)
	}
	if err := h.shutdown(); err != nil {
		t.Errorf("Serve returned %v, want nil", err)
	}
}

func TestShutdownGivesUpAfterTimeout(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.ShutdownTimeout = 50 * time.Millisecond })
	entered, release := slowRoute(t, h)
	h.serve(t)
	answers := startSlow(t, h, entered)
	t.Cleanup(func() {
		release()
		<-answers
	})

	err := h.shutdown()
	if err == nil {
		t.Fatal("Serve returned nil although a request never finished")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve returned %v, want it to wrap context.DeadlineExceeded", err)
	}
}

// waitRefused dials addr until the connection is refused. Serve closes its listener
// shortly after its context ends; until then the kernel may still accept a connection,
// and one caught in the backlog while the listener closes is reset.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if err == nil {
			conn.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("new connections are still taken after the server was told to stop (last dial: %v)", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
