package ios_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/phonesim"
	"github.com/trennwand/trennwand/mdm"
)

// A supervised company-owned iPhone reported lost goes into lost mode with the text its
// tenant set: the message, the phone number to call and the footnote reach its lock
// screen. A company-owned iPhone that is not supervised is locked instead, and its lock
// screen shows the same message and number (a lock has no footnote). The employee's own iPhone of the same tenant can still never be sent lost
// mode: the report is refused before anything is queued, the platform refuses the
// command should one reach it, and the phone receives nothing.
func TestALostIPhoneShowsTheTenantsText(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		s.pushing(t)
		text := mdm.LostModeText{Message: "Dieses iPhone gehört der Stadt Musterstadt. Bitte rufen Sie uns an.",
			PhoneNumber: "+49 431 901-0", Footnote: "Bürgerbüro, Markt 1"}
		tn, err := s.svc.SetLostModeText(ctx, "admin:test", s.tenant, text)
		if err != nil || tn.LostMode != text {
			t.Fatalf("set the text: %+v, %v", tn.LostMode, err)
		}
		drivers := map[mdm.Platform]mdm.Driver{mdm.PlatformIOS: s.platform}

		ph, d := s.enrolBoughtIPhone(t, "bernd")
		cmd, err := s.svc.ReportLost(ctx, "employee:"+d.EmployeeID, s.tenant, d.ID, drivers, "reported lost by the employee on the portal")
		if err != nil || cmd.Kind != mdm.CommandStartLostMode {
			t.Fatalf("the report of the supervised phone: %+v, %v", cmd, err)
		}
		s.waitUntilLost(t, ph)
		if got := ph.LostScreen(); got != (phonesim.LostScreen{Message: text.Message, PhoneNumber: text.PhoneNumber, Footnote: text.Footnote}) {
			t.Errorf("the lock screen shows %+v, want the tenant's text %+v", got, text)
		}

		unsupervised, ud := s.enrolCompanyIPhone(t, "anna")
		cmd, err = s.svc.ReportLost(ctx, "admin:test", s.tenant, ud.ID, drivers, "left in the train")
		if err != nil || cmd.Kind != mdm.CommandLockDevice {
			t.Fatalf("the report of the unsupervised phone: %+v, %v", cmd, err)
		}
		waitUntil(t, "the unsupervised phone is locked", func() bool {
			if _, err := unsupervised.Wake(ctx); err != nil {
				t.Fatal(err)
			}
			locked, _, _, _ := unsupervised.State()
			return locked
		})
		if got := unsupervised.LockScreen(); got != (phonesim.LostScreen{Message: text.Message, PhoneNumber: text.PhoneNumber}) {
			t.Errorf("the locked phone shows %+v, want the tenant's message and number %+v", got, text)
		}

		own := s.enrolSimulatedIPhone(t, "17.5")
		var personal mdm.Device
		for _, got := range s.devices(t) {
			if got.Ownership == mdm.OwnershipPersonal {
				personal = got
			}
		}
		if personal.ID == "" || personal.State != mdm.DeviceActive {
			t.Fatalf("the employee's own iPhone: %+v", personal)
		}
		if _, err := s.svc.ReportLost(ctx, "employee:"+personal.EmployeeID, s.tenant, personal.ID, drivers, "reported lost by the employee on the portal"); !errors.Is(err, mdm.ErrPersonalDevice) {
			t.Errorf("the report of the employee's own iPhone: %v, want ErrPersonalDevice", err)
		}
		if cmds := s.commands(t, personal); len(cmds) != 0 {
			t.Errorf("commands queued for the employee's own iPhone: %+v", cmds)
		}
		err = s.platform.SendCommand(ctx, tn, personal, mdm.Command{ID: mdm.NewID(), DeviceID: personal.ID, Kind: mdm.CommandStartLostMode, Payload: mdm.EmptyJSONObject})
		if !errors.Is(err, ios.ErrPrivateCommand) {
			t.Errorf("lost mode sent to the employee's own iPhone: %v, want ErrPrivateCommand", err)
		}
		if _, err := own.Wake(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, lost, received := own.State(); lost || len(received) > 0 || own.LostScreen() != (phonesim.LostScreen{}) {
			t.Errorf("the employee's own iPhone received %v (lost mode %v)", received, lost)
		}
	})
}
