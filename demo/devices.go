package demo

import (
	"context"
	"crypto/x509"
	"log/slog"
	"sync"
	"time"

	"github.com/trennwand/trennwand/ios/apnsfake"
	iossim "github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/sim"
)

// StartDevices enrols n simulated phones in the background (half of them iPhones, the
// rest Android phones) at the server, whose certificate comes from root, so that the
// dashboard of a demo has devices to show. The iPhones stay reachable: a push to the fake
// APNs wakes the one it is for, which then fetches its commands. The phones are the
// demo's stand-in for the outside world, not work of the server, so they run beside it on
// their own goroutine until stop, which waits for them. Stop them after the server has
// stopped taking requests: phones cancelled while it shuts down leave connections half
// open, which the shutdown waits for.
func (d *Demo) StartDevices(ctx context.Context, svc *domain.Services, server string, root *x509.Certificate, n int, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var running sync.WaitGroup
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
	running.Go(func() {
		t, err := svc.TenantByID(ctx, d.tenantID)
		if err != nil {
			log.Error("demo devices: no demo tenant", "error", err)
			return
		}
		_, token, err := svc.Access.CreateToken(ctx, "demo", &t, access.TokenRequest{Name: "Demo-Geräte", Role: mdm.RoleAdmin, Validity: 24 * time.Hour})
		if err != nil {
			log.Error("demo devices: API token", "error", err)
			return
		}
		if !sim.AwaitServing(ctx, server, roots) {
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
			s := sim.New(platform, server, token, roots, 2, iossim.NewKey)
			s.Count, s.Checkins, s.Settle = count, 0, 0
			s.Enrolled = func(dev sim.Device) {
				if p, ok := dev.(sim.IPhone); ok {
					phones.Store(p.PushToken(), p.Phone)
					// A push may have come before the phone was known.
					_, _ = p.Wake(ctx)
				}
			}
			sum := s.Run(ctx)
			log.Info("demo devices enrolled", "platform", platform, "enrolled", sum.Enrolled, "errors", sum.Errors, "first_error", sum.FirstError)
		}
	})
	return func() {
		cancel()
		running.Wait()
	}
}
