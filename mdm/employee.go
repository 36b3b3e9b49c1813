package mdm

import "time"

// Employee is a person of the tenant who may enrol their own phone. The managed Apple
// account, when known, is what account-driven User Enrolment signs in with.
type Employee struct {
	ID             string
	TenantID       string
	Email          string
	Name           string
	ManagedAppleID string
	CreatedAt      time.Time
}
