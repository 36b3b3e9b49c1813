package api_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/trennwand/trennwand/api"
)

func TestTheClientBehindTrustedProxies(t *testing.T) {
	client := api.ForwardedFor([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	cases := []struct {
		remote, xff, want string
	}{
		{"203.0.113.7:5000", "", "203.0.113.7"},
		{"203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},                  // not from a proxy: the header is ignored
		{"10.1.2.3:5000", "198.51.100.1", "198.51.100.1"},                    // one load balancer
		{"10.1.2.3:5000", "6.6.6.6, 198.51.100.1, 10.9.9.9", "198.51.100.1"}, // forged entries left of the client
		{"10.1.2.3:5000", "", "10.1.2.3"},
		{"10.1.2.3:5000", "garbage", "10.1.2.3"},
		{"[::1]:5000", "2001:db8::1", "2001:db8::1"},
		{"[::ffff:203.0.113.7]:5000", "", "203.0.113.7"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/e/x", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := client(r); got.String() != c.want {
			t.Errorf("%s with %q: got %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

func FuzzForwardedFor(f *testing.F) {
	client := api.ForwardedFor([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	f.Add("10.0.0.1:1", "198.51.100.1, 10.0.0.2")
	f.Add("[::1]:1", ",,, ")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/e/x", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		_ = client(r)
	})
}
