package ios_test

import (
	"context"
	"net/http"
	"testing"

	apple "github.com/micromdm/nanomdm/mdm"

	"github.com/trennwand/trennwand/mdm"
)

// The employee removes the work profile in Settings: the phone checks out, the device is
// removed in the domain, its certificates are revoked, and its token opens nothing any more.
func TestRemovingTheWorkProfileOnThePhone(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		p := s.enrolled(t, "lena")
		devices := s.devices(t)
		if len(devices) != 1 || devices[0].State != mdm.DeviceActive {
			t.Fatalf("before check-out: %+v", devices)
		}
		d := devices[0]
		msg := &apple.CheckOut{Enrollment: p.enrollment(), MessageType: apple.MessageType{MessageType: "CheckOut"}}
		if status := p.checkIn(t, msg); status != http.StatusOK {
			t.Fatalf("CheckOut: HTTP %d", status)
		}
		if got := s.device(t, d.ID); got.State != mdm.DeviceRemoved {
			t.Fatalf("after check-out the device is %s, want removed", got.State)
		}
		certs, err := s.ca.Certificates(context.Background(), d.TenantID, d.ID)
		if err != nil || len(certs) == 0 {
			t.Fatalf("certificates of the device: %v, %v", certs, err)
		}
		for _, c := range certs {
			if !c.Revoked {
				t.Errorf("certificate %s is still valid after the check-out", c.Serial)
			}
		}
		if status, _ := p.report(t, "Idle", ""); status != http.StatusUnauthorized {
			t.Errorf("a removed device's next check-in: HTTP %d, want 401", status)
		}
	})
}
