package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The privacy matrix as the design states it, written out apart from the code that keeps
// it: what acts on the whole phone goes to the employer's phone alone, and only where
// the platform can do it; what acts on the work container goes wherever the platform can
// do it; everything else (the policy's commands, the removal) goes to every phone.
var (
	wholePhone = map[mdm.CommandKind]mdm.Capability{
		mdm.CommandLockDevice: mdm.CanLockDevice, mdm.CommandWipeDevice: mdm.CanWipeDevice, mdm.CommandStartLostMode: mdm.CanStartLostMode,
	}
	workSide = map[mdm.CommandKind]mdm.Capability{
		mdm.CommandLockWork: mdm.CanLockWork, mdm.CommandResetWorkPasscode: mdm.CanResetWorkPasscode, mdm.CommandQueryWorkApps: mdm.CanQueryWorkApps,
	}
)

func matrixAllows(o mdm.Ownership, can mdm.Capability, k mdm.CommandKind) bool {
	if need, ok := wholePhone[k]; ok {
		return o == mdm.OwnershipCompany && can.Has(need)
	}
	if need, ok := workSide[k]; ok {
		return can.Has(need)
	}
	return true
}

// order orders the command of the kind for the device the way an administrator does; the
// kinds nobody orders by hand are left out (ok false).
func order(ctx context.Context, svc *domain.Services, tn mdm.Tenant, d mdm.Device, k mdm.CommandKind) (ok bool, err error) {
	switch {
	case k == mdm.CommandWipeDevice:
		return true, svc.WipeDevice(ctx, "admin:test", tn, d.ID, "handed back")
	case wholePhone[k] != 0 || workSide[k] != 0:
		_, err := svc.CommandDevice(ctx, "admin:test", tn, d.ID, k, "phone lost")
		return true, err
	}
	return false, nil
}

// ownedDevice enrols an active device of the ownership on the platform.
func ownedDevice(t *testing.T, svc *domain.Services, tn mdm.Tenant, p mdm.Platform, o mdm.Ownership) mdm.Device {
	t.Helper()
	started := enrolledDevice(t, svc, tn, enrolment.InviteRequest{Email: string(o) + "@musterstadt.example", Platform: p,
		ManagedAppleID: string(o) + "@appleid.musterstadt.example", Ownership: o})
	d, err := svc.Device(context.Background(), tn.ID, started.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Ownership != o || d.State != mdm.DeviceActive {
		t.Fatalf("the device of a %s invitation is %q and %s", o, d.Ownership, d.State)
	}
	return d
}

// Every ownership × every platform (as it registers itself, and as if it could do
// everything) × every command: the matrix allows or refuses what the design says, the
// service queues exactly what it allows, and the platform's driver is never called for
// what it refuses — not even for a command queued behind the service's back. The
// hardware identifiers a platform reports are kept for the employer's phone alone.
func TestThePrivacyMatrixOfOwnershipPlatformAndCommand(t *testing.T) {
	var everything mdm.Capability
	for _, c := range mdm.AllCapabilities() {
		everything |= c
	}
	// The wipe ends the enrolment, so it is ordered last.
	kinds := slices.DeleteFunc(mdm.CommandKinds(), func(k mdm.CommandKind) bool { return k == mdm.CommandWipeDevice })
	kinds = append(kinds, mdm.CommandWipeDevice)
	regs := []mdm.Registration{storetest.IOS, storetest.Android,
		{Platform: mdm.PlatformIOS, Can: everything}, {Platform: mdm.PlatformAndroid, Can: everything}}
	for _, reg := range regs {
		t.Run(string(reg.Platform)+"/"+reg.Can.String(), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				svc := domain.New(s, storetest.PlainSealer{}, mdm.WithPlatforms(reg), mdm.WithCertificates(noCertificates{}))
				tn := storetest.Tenant(t, svc, "musterstadt")
				dr := &recordingDriver{platform: reg.Platform}
				dispatching(t, s, svc, dr)
				var sent []mdm.CommandKind
				for _, o := range mdm.Ownerships {
					d := ownedDevice(t, svc, tn, reg.Platform, o)
					for _, k := range kinds {
						want := matrixAllows(o, reg.Can, k)
						if got := mdm.Allowed(o, reg.Can, k); (got == nil) != want {
							t.Errorf("%s phone, %s: Allowed = %v, want allowed %v", o, k, got, want)
						}
						ordered, err := order(ctx, svc, tn, d, k)
						switch {
						case !ordered:
						case want && err != nil:
							t.Errorf("%s phone, %s: refused: %v", o, k, err)
						case !want && err == nil:
							t.Errorf("%s phone, %s: accepted", o, k)
						case !want && wholePhone[k] != 0 && o == mdm.OwnershipPersonal && !errors.Is(err, mdm.ErrPersonalDevice):
							t.Errorf("%s phone, %s: refused with %v, not as the employee's own phone", o, k, err)
						case want:
							sent = append(sent, k)
						}
					}
					hw := mdm.HardwareIDs{SerialNumber: "R58N90ABCDE", IMEI: "356938035643809"}
					if err := svc.RecordHardwareIDs(ctx, s, svc.Now(), tn.ID, d, hw); err != nil {
						t.Fatal(err)
					}
					got, err := svc.Device(ctx, tn.ID, d.ID)
					if err != nil {
						t.Fatal(err)
					}
					if kept := o == mdm.OwnershipCompany && reg.Can.Has(mdm.ReportsHardwareIDs); (got.Hardware == hw) != kept || (!kept && !got.Hardware.Empty()) {
						t.Errorf("%s phone: hardware identifiers %+v stored, want kept %v", o, got.Hardware, kept)
					}
				}
				// A whole-phone command queued for the employee's own phone behind the
				// service's back fails at delivery, before its platform is asked.
				own, err := s.Devices().Devices(ctx, tn.ID, mdm.DeviceFilter{Ownership: mdm.OwnershipPersonal})
				if err != nil || len(own) != 1 {
					t.Fatalf("the employee's own phone: %v %v", own, err)
				}
				sneaked := mdm.Command{ID: mdm.NewID(), DeviceID: own[0].ID, Kind: mdm.CommandWipeDevice, Payload: mdm.EmptyJSONObject,
					State: mdm.CommandQueued, CreatedAt: time.Now().UTC()}
				if err := s.Atomic(ctx, func(tx mdm.Store) error { return mdm.QueueCommand(ctx, tx, tn.ID, &sneaked) }); err != nil {
					t.Fatal(err)
				}
				eventually(t, "the sneaked wipe failed", func() bool {
					c, err := s.Commands().Command(ctx, tn.ID, sneaked.ID)
					return err == nil && c.State == mdm.CommandError
				})
				eventually(t, "every allowed command reached the platform", func() bool {
					_, commands, _ := dr.seen()
					return len(commands) >= len(sent)
				})
				time.Sleep(200 * time.Millisecond)
				_, commands, _ := dr.seen()
				slices.Sort(commands)
				slices.Sort(sent)
				if !slices.Equal(commands, sent) {
					t.Errorf("the platform's driver got %v, want exactly the allowed %v", commands, sent)
				}
			})
		})
	}
}

// A device's ownership never changes while it is enrolled: an administrator's attempt to
// switch it is refused, recorded, and changes nothing; asking for the one it has is no
// change.
func TestTheOwnershipOfADeviceNeverChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := newService(s)
		tn := storetest.Tenant(t, svc, "musterstadt")
		for _, o := range mdm.Ownerships {
			d := ownedDevice(t, svc, tn, mdm.PlatformAndroid, o)
			other := mdm.OwnershipCompany
			if o == mdm.OwnershipCompany {
				other = mdm.OwnershipPersonal
			}
			if _, err := svc.ChangeOwnership(ctx, "admin:test", tn, d.ID, string(other)); !errors.Is(err, mdm.ErrOwnershipChange) || !errors.Is(err, mdm.ErrConflict) {
				t.Errorf("%s → %s: %v, want a refusal", o, other, err)
			}
			if _, err := svc.ChangeOwnership(ctx, "admin:test", tn, d.ID, "borrowed"); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("an unknown ownership: %v", err)
			}
			same, err := svc.ChangeOwnership(ctx, "admin:test", tn, d.ID, string(o))
			if err != nil || same.Ownership != o {
				t.Errorf("%s → %s: %v %v", o, o, same.Ownership, err)
			}
			got, err := svc.Device(ctx, tn.ID, d.ID)
			if err != nil || got.Ownership != o || !got.UpdatedAt.Equal(d.UpdatedAt) {
				t.Errorf("after the refusal the device is %s (updated %v, was %v): %v", got.Ownership, got.UpdatedAt, d.UpdatedAt, err)
			}
			var refused []audit.Event
			err = s.Trail().FilteredAuditEvents(ctx, tn.ID, mdm.AuditFilter{Actions: []audit.Action{audit.DeviceOwnershipRefused}, DeviceID: d.ID},
				func(e audit.Event) error { refused = append(refused, e); return nil })
			if err != nil || len(refused) != 1 || refused[0].Field("claimed") != string(other) || refused[0].Field("ownership") != string(o) {
				t.Errorf("the refusal on record: %+v %v", refused, err)
			}
		}
	})
}
