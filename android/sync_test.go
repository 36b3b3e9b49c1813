package android_test

import (
	"context"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
)

// The periodic sync catches what notifications missed: an enrolment whose notification
// never arrived completes, and a work profile that the employee removed in the phone's
// settings removes the device and revokes its certificates.
func TestSyncCatchesMissedNotifications(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.bind(t)
		s.fake.Unsubscribe(testTopic)
		quiet := s.invite(t, "max@musterstadt.de")
		phone := s.enrol(t, quiet)
		if got := s.device(t, quiet.ID).State; got != mdm.DeviceInvited {
			t.Fatalf("without notifications the device is %s", got)
		}
		res, err := s.platform.SyncDevices(ctx, s.tenant)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.device(t, quiet.ID); got.State != mdm.DeviceActive || got.PlatformID != phone.Name || res.Enrolled != 1 {
			t.Fatalf("after sync: %s %q, %+v", got.State, got.PlatformID, res)
		}

		s.fake.RemoveWorkProfile(phone.Name)
		if res, err = s.platform.SyncDevices(ctx, s.tenant); err != nil || res.Removed != 1 {
			t.Fatalf("sync: %+v, %v", res, err)
		}
		if got := s.device(t, quiet.ID).State; got != mdm.DeviceRemoved {
			t.Errorf("after the work profile was removed the device is %s", got)
		}
		if len(s.certs.revoked) != 1 || s.certs.revoked[0] != quiet.ID {
			t.Errorf("certificates revoked for %v", s.certs.revoked)
		}
		if res, err = s.platform.SyncDevices(ctx, s.tenant); err != nil || res != (android.SyncResult{}) {
			t.Errorf("a second sync changed something: %+v, %v", res, err)
		}
	})
}
