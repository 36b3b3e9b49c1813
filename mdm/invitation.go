package mdm

import (
	"crypto/sha256"
	"time"
)

// Invitation lets one employee start the enrolment of one phone. The code is handed to
// the employee (letter, e-mail, QR code) and never stored: only its SHA-256 is kept, so a
// copy of the database does not let anyone enrol.
type Invitation struct {
	ID         string
	TenantID   string
	EmployeeID string
	CodeHash   []byte
	Platform   Platform
	// Ownership says whose phone the invitation is for; the device created with it has
	// the same.
	Ownership Ownership `gorm:"default:personal"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
	// AcknowledgedAt and NoticeVersion record the employee's acknowledgement of the
	// privacy notice on the portal, which comes before any step of the enrolment.
	AcknowledgedAt *time.Time
	NoticeVersion  string
	// MailedAt is when the invitation's e-mail was sent; nil if it was not (yet).
	MailedAt *time.Time
	// LetterAt is when a printable letter of the invitation was made; nil if none was.
	LetterAt *time.Time
}

// Unsent reports whether the invitation has reached nobody yet: pending at now, with
// neither its e-mail sent nor a letter made.
func (i Invitation) Unsent(now time.Time) bool {
	return i.Status(now) == InvitationPending && i.MailedAt == nil && i.LetterAt == nil
}

// InvitationStatus is where an invitation stands at a given moment.
type InvitationStatus string

// The statuses of an invitation.
const (
	InvitationPending InvitationStatus = "pending"
	InvitationUsed    InvitationStatus = "used"
	InvitationExpired InvitationStatus = "expired"
	InvitationRevoked InvitationStatus = "revoked"
)

// Status reports the invitation's status at now.
func (i Invitation) Status(now time.Time) InvitationStatus {
	switch {
	case i.RevokedAt != nil:
		return InvitationRevoked
	case i.UsedAt != nil:
		return InvitationUsed
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// NewInvitationCode returns a fresh code of 160 random bits, written in base32 so that it
// fits a QR code's alphanumeric mode and can be typed, and the hash under which it is kept.
func NewInvitationCode() (code string, hash []byte) {
	code = RandomBase32(20)
	return code, HashInvitationCode(code)
}

// HashInvitationCode returns the hash under which an invitation code is stored.
func HashInvitationCode(code string) []byte {
	sum := sha256.Sum256([]byte(code))
	return sum[:]
}
