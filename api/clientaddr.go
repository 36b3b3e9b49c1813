package api

import (
	"net/http"
	"net/netip"
	"strings"
)

// The address a request comes from is decided here, once, and handed at wiring to
// everything that limits or records it per client (the server's sign-in throttle, the
// employee portal, the platforms' sign-in and challenge endpoints), so that all of them
// follow the same trusted-proxy rules.

// ConnectionAddr returns the address of the connection the request came on.
func ConnectionAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// ForwardedFor returns a ClientAddr for a server behind load balancers or reverse
// proxies: when the connection comes from one of the trusted networks, the client is the
// last address in X-Forwarded-For that is not itself trusted (proxies append the address
// they received from, so the entries left of it are the client's to forge). Requests from
// anywhere else are taken at their connection's address.
func ForwardedFor(trusted []netip.Prefix) func(*http.Request) netip.Addr {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) netip.Addr {
		addr := ConnectionAddr(r)
		if !isTrusted(addr) {
			return addr
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				return addr
			}
			addr = hop.Unmap()
			if !isTrusted(addr) {
				return addr
			}
		}
		return addr
	}
}
