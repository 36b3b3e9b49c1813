package pki

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// rememberAll is a memo that keeps every answer until it is told to forget it, and records
// the changes it is asked to write.
type rememberAll struct {
	mu       sync.Mutex
	answers  map[string]bool
	recorded []string
	fail     error // returned by Record when set
}

func (m *rememberAll) Load(serial string, read func() (bool, error)) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.answers[serial]; ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		m.answers[serial] = v
	}
	return v, err
}

func (m *rememberAll) Forget(serial string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.answers, serial)
}

func (m *rememberAll) Record(_ *gorm.DB, serial string) error {
	m.recorded = append(m.recorded, serial)
	return m.fail
}

// A certificate whose "not revoked" is in memory is refused once it is revoked: the
// revocation drops the answer on this server and records the change for every other one,
// in its own transaction, so that a revocation never commits without it.
func TestARevocationReachesTheMemoryOfRevocations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *gorm.DB) {
		memo := &rememberAll{answers: map[string]bool{}}
		ca := openTestCA(t, db, Config{Revocations: memo})
		ctx := context.Background()
		cert := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "e1"}))
		if _, err := ca.VerifyDevice(ctx, cert); err != nil {
			t.Fatalf("VerifyDevice before the revocation: %v", err)
		}
		serial := cert.SerialNumber.String()
		if err := ca.Revoke(ctx, serial, ReasonCessationOfOperation, "device removed"); err != nil {
			t.Fatal(err)
		}
		if _, err := ca.VerifyDevice(ctx, cert); !errors.Is(err, ErrRevoked) {
			t.Errorf("VerifyDevice after the revocation = %v, want ErrRevoked", err)
		}
		if len(memo.recorded) != 1 || memo.recorded[0] != serial {
			t.Errorf("recorded changes %v, want one of %s", memo.recorded, serial)
		}

		other := newSCEPDevice(t, ca, 2048).mustEnrol(mustChallenge(t, ca, Identity{TenantID: "musterstadt", EnrolmentID: "e2"}))
		memo.fail = errors.New("the change could not be written")
		if err := ca.Revoke(ctx, other.SerialNumber.String(), ReasonCessationOfOperation, "device removed"); err == nil {
			t.Fatal("Revoke succeeded although its change could not be written")
		}
		var n int64
		if err := db.Model(&revocationRow{}).Where("serial = ?", other.SerialNumber.String()).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%d revocations stored without their change (%v), want none", n, err)
		}
	})
}
