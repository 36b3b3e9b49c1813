package main

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/trennwand/trennwand/ios/apnsfake"
	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

// startDevices enrols n simulated phones in the background (half of them iPhones, the
// rest Android phones), so that the dashboard of a demo has devices to show. The iPhones
// stay reachable: a push to the fake APNs wakes the one it is for, which then fetches its
// commands. The phones are the demo's stand-in for the outside world, not work of the
// server, so they run beside it on their own goroutine and die with it.
func (d *demo) startDevices(ctx context.Context, svc *mdm.Service, server string, root *x509.Certificate, n int, log *slog.Logger) {
	roots := x509.NewCertPool()
	roots.AddCert(root)
	var phones sync.Map // push token (hex) → *iossim.Phone
	d.apns.OnPush(func(p apnsfake.Push) {
		if v, ok := phones.Load(p.Token); ok {
			go func() {
				if _, err := v.(*iossim.Phone).Wake(ctx); err != nil {
					log.Warn("demo device: wake-up failed", "error", err)
				}
			}()
		}
	})
	go func() {
		t, err := svc.TenantByID(ctx, d.tenantID)
		if err != nil {
			log.Error("demo devices: no demo tenant", "error", err)
			return
		}
		_, token, err := svc.CreateToken(ctx, "demo", &t, mdm.TokenRequest{Name: "demo devices", Role: mdm.RoleAdmin, Validity: 24 * time.Hour})
		if err != nil {
			log.Error("demo devices: API token", "error", err)
			return
		}
		if !awaitServing(ctx, server, roots) {
			return
		}
		for _, platform := range []mdm.Platform{mdm.PlatformIOS, mdm.PlatformAndroid} {
			count := n / 2
			if platform == mdm.PlatformIOS {
				count = n - n/2
			}
			if count == 0 {
				continue
			}
			s := newSimulation(platform, server, token, roots, 2, iossim.NewKey)
			s.count, s.checkins, s.settle = count, 0, 0
			s.enrolled = func(dev simDevice) {
				if p, ok := dev.(iosDevice); ok {
					phones.Store(p.PushToken(), p.Phone)
					// A push may have come before the phone was known.
					_, _ = p.Wake(ctx)
				}
			}
			sum := s.run(ctx)
			log.Info("demo devices enrolled", "platform", platform, "enrolled", sum.Enrolled, "errors", sum.Errors, "first_error", sum.FirstError)
		}
	}()
}

// awaitServing waits until the server answers /healthz, or ctx ends.
func awaitServing(ctx context.Context, server string, roots *x509.CertPool) bool {
	client := newSimulation(mdm.PlatformIOS, server, "", roots, 1, iossim.NewKey).inviter.client
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/healthz", nil)
		if err != nil {
			return false
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}
