package ios_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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
		ph, d := s.enrolBoughtIPhone(t, "bernd")

		s.orderDevice(t, d, mdm.CommandStartLostMode, "the employee reported it lost on the way home")
		s.waitUntilLost(t, ph)
		if got := ph.LostScreen(); !strings.Contains(got.Message, s.tenant.DisplayName) {
			t.Errorf("a tenant without a lost-mode text: the phone shows %+v, want a message naming %s", got, s.tenant.DisplayName)
		}

		setup := s.url + ios.PathSignInAutomated(s.tenant.ID)
		stranger := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: "17.5", SetupURL: setup}, "bernd@musterstadt.example")
		if err := stranger.Enrol(ctx, s.inviteOwned(t, "berta", mdm.OwnershipCompany)); err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Errorf("a device the town did not buy: %v, want it refused", err)
		}
	})
}

// enrolBoughtIPhone gives the site Automated Device Enrollment, and has the employee set
// up an iPhone the town bought with a company invitation in its Setup Assistant: the
// phone and its device, supervised, company-owned, active, its hardware told.
func (s *site) enrolBoughtIPhone(t *testing.T, name string) (*phonesim.Phone, mdm.Device) {
	t.Helper()
	ctx := context.Background()
	apple, abm := s.withAppleBusinessManager(t)
	code := s.inviteOwned(t, name, mdm.OwnershipCompany)
	setup := s.url + ios.PathSignInAutomated(s.tenant.ID)
	ph := phonesim.New(phonesim.Config{Server: s.url, Client: s.client(), OSVersion: "17.5", SetupURL: setup}, name+"@musterstadt.example")
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
	return ph, s.device(t, d.ID)
}

// waitUntilLost wakes the phone until it is in lost mode.
func (s *site) waitUntilLost(t *testing.T, ph *phonesim.Phone) {
	t.Helper()
	waitUntil(t, "the phone is in lost mode", func() bool {
		if _, err := ph.Wake(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, _, lost, _ := ph.State()
		return lost
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
	anchors, err := ios.ParseDeviceAnchors(depfake.DeviceCAPEM())
	if err != nil {
		t.Fatal(err)
	}
	s.platform.UseBoughtDevices(abm, anchors)
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

// A bought device's sign-in in the Setup Assistant is believed only with device
// information that a device of the trusted device CA signed, and its form only with the
// one-time pass the page handed out for that device: knowing a bought device's serial
// number is not enough to get its enrolment profile. Every refusal is a 403 page in the
// device's language, and no device is created.
func TestTheSetupAssistantBelievesOnlyTheDevicesSignature(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		apple, abm := s.withAppleBusinessManager(t)
		const serial = "F2LXK0QWHG7F"
		apple.AddDevice(serial, "iPhone 15", "Bürgerbüro")
		s.uploadServerToken(t, apple, abm)
		if err := abm.Sync(ctx, dep.SyncJob{TenantID: s.tenant.ID}); err != nil {
			t.Fatal(err)
		}
		setup := s.url + ios.PathSignInAutomated(s.tenant.ID)
		c := s.client()
		code := s.inviteOwned(t, "bernd", mdm.OwnershipCompany)
		before := len(s.devices(t))

		for name, header := range map[string]string{
			"no device information":  "",
			"garbage base64":         "%%% not base64 %%%",
			"garbage DER":            base64.StdEncoding.EncodeToString([]byte("not a CMS structure")),
			"tampered content":       ios.TamperedDeviceInfo(t, serial),
			"a self-signed signer":   ios.SelfSignedDeviceInfo(t, serial),
			"a signer of another CA": ios.StrangerDeviceInfo(t, serial),
		} {
			req := newRequest(t, http.MethodGet, setup, nil)
			req.Header.Set("Accept-Language", "de")
			if header != "" {
				req.Header.Set("x-apple-aspen-deviceinfo", header)
			}
			a := send(t, c, req)
			if a.StatusCode != http.StatusForbidden || !strings.Contains(string(a.body), "Es wurde nichts eingerichtet") || strings.Contains(string(a.body), "setup-pass") {
				t.Errorf("%s: %d %s, want a German 403 page without a form pass", name, a.StatusCode, string(a.body))
			}
		}

		// The attack the pass closes: a form with a bought device's serial number and a
		// company invitation, but without a pass from the device's signed page.
		for name, form := range map[string]url.Values{
			"the serial number alone": {"code": {code}, "user-identifier": {serial}},
			"a forged pass":           {"code": {code}, "setup-pass": {"bm90IGEgcGFzcyB0aGUgc2VydmVyIGhhbmRlZCBvdXQ"}},
			"an overlong pass":        {"code": {code}, "setup-pass": {strings.Repeat("A", 500)}},
		} {
			if a := postSetup(t, c, setup, form); a.StatusCode != http.StatusForbidden || !strings.Contains(string(a.body), "Nothing was set up") {
				t.Errorf("%s: %d %s, want 403", name, a.StatusCode, string(a.body))
			}
		}
		if n := len(s.devices(t)); n != before {
			t.Fatalf("%d devices after the refusals, want %d", n, before)
		}

		// A genuine device: its pass works once, and not after it expired.
		pass := setupPassOf(t, c, setup, ios.GenuineDeviceInfo(t, serial))
		s.pass(dep.SetupPassTTL + time.Minute)
		if a := postSetup(t, c, setup, url.Values{"code": {code}, "setup-pass": {pass}}); a.StatusCode != http.StatusForbidden {
			t.Fatalf("an expired pass: %d %s, want 403", a.StatusCode, string(a.body))
		}
		pass = setupPassOf(t, c, setup, ios.GenuineDeviceInfo(t, serial))
		a := postSetup(t, c, setup, url.Values{"code": {code}, "setup-pass": {pass}, "user-identifier": {"C02ZZ0000000"}})
		if a.StatusCode != http.StatusOK || a.Header.Get("Content-Type") != "application/x-apple-aspen-config" {
			t.Fatalf("a genuine device's sign-in: %d %s", a.StatusCode, string(a.body))
		}
		again := s.inviteOwned(t, "berta", mdm.OwnershipCompany)
		if a := postSetup(t, c, setup, url.Values{"code": {again}, "setup-pass": {pass}}); a.StatusCode != http.StatusForbidden {
			t.Errorf("a used pass: %d %s, want 403", a.StatusCode, string(a.body))
		}
		if n := len(s.devices(t)); n != before+1 {
			t.Errorf("%d devices after the genuine sign-in and the replay, want %d", n, before+1)
		}
		// The device is the one the pass was issued for, whatever else the form says.
		named := 0
		for _, d := range s.devices(t) {
			if s.device(t, d.ID).Hardware.SerialNumber == serial {
				named++
			}
		}
		if named != 1 {
			t.Errorf("%d devices with the serial number the signed information named, want 1", named)
		}

		// A wrong code keeps the device's sign-in: the form comes back with a new pass.
		pass = setupPassOf(t, c, setup, ios.GenuineDeviceInfo(t, serial))
		a = postSetup(t, c, setup, url.Values{"code": {"WRONGCODE"}, "setup-pass": {pass}})
		if a.StatusCode == http.StatusOK || !strings.Contains(string(a.body), `name="setup-pass"`) || strings.Contains(string(a.body), pass) {
			t.Errorf("a wrong code: %d %s, want the form again with a new pass", a.StatusCode, string(a.body))
		}
	})
}

// setupPassOf opens the Setup Assistant's sign-in page with the device information and
// returns the pass of its form.
func setupPassOf(t *testing.T, c *http.Client, setup, header string) string {
	t.Helper()
	req := newRequest(t, http.MethodGet, setup, nil)
	req.Header.Set("x-apple-aspen-deviceinfo", header)
	a := send(t, c, req)
	m := regexp.MustCompile(`name="setup-pass" value="([^"]+)"`).FindStringSubmatch(string(a.body))
	if a.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the sign-in page of a genuine device: %d %s", a.StatusCode, string(a.body))
	}
	return m[1]
}

// postSetup sends the Setup Assistant's sign-in form, in English.
func postSetup(t *testing.T, c *http.Client, setup string, form url.Values) answer {
	t.Helper()
	req := newRequest(t, http.MethodPost, setup, []byte(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	return send(t, c, req)
}
