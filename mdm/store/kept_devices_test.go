package store_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The device memory keeps devices in a form of its own; what it gives back is the device
// it was given, every field of it, including fields added to mdm.Device after this test.
func TestKeptDevicesGiveBackEveryField(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	follow(t, s, withoutNotify)
	kept := store.NewKeptDevices(s.Changes(), 10)
	for _, d := range []mdm.Device{everyField(t, 1), everyField(t, 2), {ID: "bare", TenantID: "t", State: mdm.DeviceInvited}} {
		hash := sha256.Sum256([]byte(d.ID))
		if _, err := kept.Load(hash[:], func() (mdm.Device, error) { return d, nil }); err != nil {
			t.Fatal(err)
		}
		got, err := kept.Load(hash[:], func() (mdm.Device, error) {
			t.Fatalf("device %s read again while kept", d.ID)
			return mdm.Device{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("kept device\n%+v\nwant\n%+v", got, d)
		}
		// What the caller's pointers point to is its own.
		if got.WorkPolicyID != nil {
			*got.WorkPolicyID = "changed by the caller"
			*got.LastContactAt = time.Time{}
			again, _ := kept.Load(hash[:], func() (mdm.Device, error) { return d, nil })
			if !reflect.DeepEqual(again, d) {
				t.Errorf("a caller's change of the device it got changed the kept one: %+v", again)
			}
		}
	}
	if kept.Len() != 3 {
		t.Errorf("%d devices kept, want 3", kept.Len())
	}
}

// A device is dropped when its row changes, under whichever token it was kept; a failed
// read keeps nothing; a hash that is not SHA-256's is read every time.
func TestKeptDevicesDropAChangedDeviceAndKeepNoFailure(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	follow(t, s, withoutNotify)
	kept := store.NewKeptDevices(s.Changes(), 10)
	reads := 0
	load := func(token string, d mdm.Device, err error) (mdm.Device, error) {
		hash := sha256.Sum256([]byte(token))
		return kept.Load(hash[:], func() (mdm.Device, error) { reads++; return d, err })
	}
	d := mdm.Device{ID: "d1", TenantID: "t1", State: mdm.DeviceActive}
	for range 2 {
		if _, err := load("token", d, nil); err != nil {
			t.Fatal(err)
		}
	}
	if reads != 1 {
		t.Fatalf("%d reads for two loads, want 1", reads)
	}
	record(t, s, "device:d1")
	d.State = mdm.DeviceRemoving
	if got, _ := load("token", d, nil); got.State != mdm.DeviceRemoving || reads != 2 {
		t.Errorf("after a change of its row, state %s after %d reads, want removing read anew", got.State, reads)
	}

	if _, err := load("unknown", mdm.Device{}, mdm.ErrNotFound); !errors.Is(err, mdm.ErrNotFound) {
		t.Errorf("unknown token: %v, want not found", err)
	}
	if _, err := load("unknown", mdm.Device{}, mdm.ErrNotFound); !errors.Is(err, mdm.ErrNotFound) || reads != 4 {
		t.Errorf("unknown token again: %v after %d reads, want not found read again", err, reads)
	}

	short := []byte("not a sha-256")
	for range 2 {
		_, _ = kept.Load(short, func() (mdm.Device, error) { reads++; return d, nil })
	}
	if reads != 6 {
		t.Errorf("%d reads, want a hash of the wrong length read each time", reads)
	}
}

// everyField returns a device whose every field holds a value of its own, told apart by n.
// A field of a kind it does not know fails the test, which then needs teaching.
func everyField(t *testing.T, n int) mdm.Device {
	t.Helper()
	var d mdm.Device
	fillFields(t, reflect.ValueOf(&d).Elem(), n)
	return d
}

func fillFields(t *testing.T, v reflect.Value, n int) {
	t.Helper()
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		at = at.Add(time.Hour)
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(at.AddDate(0, 0, n)))
		case f.Type() == reflect.TypeFor[*time.Time]():
			when := at.AddDate(0, 0, n)
			f.Set(reflect.ValueOf(&when))
		case f.Kind() == reflect.String:
			f.SetString(fmt.Sprintf("%s-%d", name, n))
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String:
			p := reflect.New(f.Type().Elem())
			p.Elem().SetString(fmt.Sprintf("%s-%d", name, n))
			f.Set(p)
		case f.Kind() == reflect.Struct:
			fillFields(t, f, n)
		default:
			t.Fatalf("field %s of type %s: teach everyField to fill it", name, f.Type())
		}
	}
}

// BenchmarkKeptDeviceLoad is what a check-in pays for a kept device: the device built back
// from its compact form.
//
//	go test -run '^$' -bench KeptDeviceLoad ./mdm/store/
func BenchmarkKeptDeviceLoad(b *testing.B) {
	s := storetest.Open(b, storetest.SQLite)
	follow(b, s, withoutNotify)
	kept := store.NewKeptDevices(s.Changes(), 10)
	now := time.Now().UTC()
	policy := mdm.NewID()
	d := mdm.Device{ID: mdm.NewID(), TenantID: mdm.NewID(), EmployeeID: mdm.NewID(), WorkPolicyID: &policy, InvitationID: new(mdm.NewID()),
		Platform: mdm.PlatformIOS, PlatformID: "00008101-000A1B2C3D4E5F60", Ownership: mdm.OwnershipPersonal, State: mdm.DeviceActive,
		OSVersion: "18.1.1", Compliance: mdm.ComplianceCompliant, ReportedCompliance: mdm.ComplianceCompliant, LastContactAt: &now,
		CreatedAt: now, UpdatedAt: now}
	hash := sha256.Sum256([]byte("token"))
	read := func() (mdm.Device, error) { return d, nil }
	if _, err := kept.Load(hash[:], read); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, _ := kept.Load(hash[:], read); got.ID != d.ID {
			b.Fatal("not kept")
		}
	}
}
