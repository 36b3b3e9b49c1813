package android_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The sign-up flow: IT starts it, creates the enterprise on Google's page, and the
// callback binds the tenant and shows the push URL once; the callback cannot be replayed.
func TestSignup(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		signupURL, err := s.platform.StartSignup(context.Background(), "admin:test", s.tenant)
		if err != nil {
			t.Fatal(err)
		}
		callback, ok := s.fake.CompleteSignup(signupURL)
		if !ok {
			t.Fatalf("the fake does not know the sign-up page %s", signupURL)
		}
		u, _ := url.Parse(callback)
		local := s.push.URL + u.Path + "?" + u.RawQuery
		resp, err := s.push.Client().Get(local)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "/android/pubsub?token=") {
			t.Fatalf("callback: %d %s", resp.StatusCode, page)
		}
		if !strings.Contains(string(page), "projects/trennwand-test/topics/trennwand-musterstadt") {
			t.Errorf("the page does not name the topic: %s", page)
		}
		resp, err = s.push.Client().Get(local)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("a replayed callback: %d", resp.StatusCode)
		}
		d := s.invite(t, "max@musterstadt.de")
		s.enrol(t, d)
	})
}
