// Package storagetest fills the Apple MDM tables for tests and benchmarks that need many
// enrolled phones without taking each through the protocol.
package storagetest

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
)

// SeedEnrolments writes n enrolled user-enrolment channels straight into the tables, as n
// Authenticate and TokenUpdate check-ins would leave them, with the APNs topic and a
// distinct 32-byte push token each, and returns their IDs.
func SeedEnrolments(t testing.TB, db *gorm.DB, n int, topic string) []string {
	t.Helper()
	ids := make([]string, n)
	now := time.Now().UTC()
	type device struct {
		ID             string
		Authenticate   []byte
		AuthenticateAt time.Time
	}
	type enrollment struct {
		ID, DeviceID, Type, Topic, PushMagic string
		PushToken                            []byte
		Enabled                              bool
		TokenUpdateTally                     int
		EnrolledAt, LastSeenAt               time.Time
	}
	devices := make([]device, n)
	enrollments := make([]enrollment, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("seeded-%06d", i)
		token := sha256.Sum256([]byte(ids[i]))
		devices[i] = device{ids[i], []byte("<?xml"), now}
		enrollments[i] = enrollment{ids[i], ids[i], "User Enrollment (Device)", topic, "magic-" + ids[i],
			token[:], true, 1, now, now}
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Table("ios_devices").CreateInBatches(devices, 500).Error; err != nil {
			return err
		}
		return tx.Table("ios_enrollments").CreateInBatches(enrollments, 500).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
