package ios_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/ios/depfake"
	"github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

// An iPhone the town bought through Apple Business Manager: IT uploads the server token,
// the sync finds the device and assigns it the town's enrolment profile (its sign-in page
// and enrolment URL here), and in its Setup Assistant the employee enters the code of a
// company invitation; the phone gets a supervised device enrolment, is company-owned,
// talks to the MDM endpoints with its certificate alone, tells its hardware, and takes
// lost mode. A device the town did not assign to this server is not set up.
func TestABoughtIPhoneEnrolsThroughAppleBusinessManager(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		apple, abm := s.withAppleBusinessManager(t)
		code := s.inviteOwned(t, "bernd", mdm.OwnershipCompany)
		setup := s.url + ios.PathSignInAutomated(s.tenant.ID)
		ph := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: "17.5", SetupURL: setup}, "bernd@musterstadt.example")
		apple.AddDevice(ph.SerialNumber(), "iPhone 15", "Ordnungsamt, Außendienst")
		s.uploadServerToken(t, apple, abm)
		if err := abm.Sync(ctx, dep.SyncJob{TenantID: s.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		at, _ := apple.Device(ph.SerialNumber())
		profile, ok := apple.Profile(at.ProfileUUID)
		if !ok || profile.WebURL != setup || profile.URL != s.url+ios.PathEnrolAutomated(s.tenant.ID) || !profile.IsSupervised {
			t.Fatalf("the device's profile at Apple: %+v", profile)
		}

		if err := ph.Enrol(ctx, code); err != nil {
			t.Fatal(err)
		}
		var d mdm.Device
		for _, got := range s.devices(t) {
			if got.PlatformID == ph.UDID() {
				d = got
			}
		}
		if d.Ownership != mdm.OwnershipCompany || d.State != mdm.DeviceActive {
			t.Fatalf("device %+v, want company-owned and active", d)
		}
		waitUntil(t, "the phone told its hardware", func() bool {
			if _, err := ph.Wake(ctx); err != nil {
				t.Fatal(err)
			}
			h, _, err := s.platform.Hardware(ctx, s.tenant.ID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return h.Automated && h.Model != "" && s.device(t, d.ID).Hardware.SerialNumber == ph.SerialNumber()
		})

		s.orderDevice(t, d, mdm.CommandStartLostMode, "the employee reported it lost on the way home")
		waitUntil(t, "the phone is in lost mode", func() bool {
			if _, err := ph.Wake(ctx); err != nil {
				t.Fatal(err)
			}
			_, _, lost, _ := ph.State()
			return lost
		})

		stranger := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: "17.5", SetupURL: setup}, "bernd@musterstadt.example")
		if err := stranger.Enrol(ctx, s.inviteOwned(t, "berta", mdm.OwnershipCompany)); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Errorf("a device the town did not buy: %v, want it refused", err)
		}
	})
}

// withAppleBusinessManager gives the site Automated Device Enrollment against the fake of
// Apple's device assignment service, and returns both.
func (s *site) withAppleBusinessManager(t *testing.T) (*depfake.Server, *dep.Service) {
	t.Helper()
	apple := depfake.Start()
	t.Cleanup(apple.Close)
	abm, err := dep.New(dep.Config{Tables: s.st.Tables(), Sealer: testMasterKey(t), URL: apple.URL(), Now: s.svc.Now,
		EnrolURL:    func(id string) string { return s.url + ios.PathEnrolAutomated(id) },
		WebURL:      func(id string) string { return s.url + ios.PathSignInAutomated(id) },
		AnchorCerts: [][]byte{s.ca.Root().Raw}})
	if err != nil {
		t.Fatal(err)
	}
	s.platform.UseBoughtDevices(abm)
	return apple, abm
}

// uploadServerToken has IT download the certificate for Apple Business Manager and upload
// the server token Apple hands out for it.
func (s *site) uploadServerToken(t *testing.T, apple *depfake.Server, abm *dep.Service) {
	t.Helper()
	ctx := context.Background()
	certPEM, err := abm.Certificate(ctx, s.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	file, err := apple.TokenFileFor(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := abm.SetToken(ctx, "admin:test", s.tenant.ID, file); err != nil {
		t.Fatal(err)
	}
}
