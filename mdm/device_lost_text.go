package mdm

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm/audit"
)

// LostModeText is what a company-owned phone in lost mode shows on its lock screen, as
// its tenant set it: a message to whoever finds the phone, a phone number to call, and a
// footnote below them. A platform that starts lost mode shows it; the phone's own owner
// decides nothing of it.
type LostModeText struct {
	Message     string `gorm:"column:lost_message"`
	PhoneNumber string `gorm:"column:lost_phone_number"`
	Footnote    string `gorm:"column:lost_footnote"`
}

// OnLock is what of the text a phone shows when it is locked rather than put into lost
// mode (as a phone that cannot take lost mode is when it is reported lost), for a phone
// whose platform has the capabilities c: the message and the phone number where a lock
// shows them (ShowsTextWhenLocked; a lock has no footnote), otherwise nothing.
func (t LostModeText) OnLock(c Capability) LostModeText {
	if !c.Has(ShowsTextWhenLocked) {
		return LostModeText{}
	}
	return LostModeText{Message: t.Message, PhoneNumber: t.PhoneNumber}
}

// Limits of the lost-mode text, in characters: a lock screen has room for a few lines.
const (
	MaxLostMessage     = 200
	MaxLostPhoneNumber = 30
	MaxLostFootnote    = 100
)

// lostPhoneNumber is how a phone number is written: digits with spaces and the signs of
// a written number, a + only in front.
var lostPhoneNumber = regexp.MustCompile(`^\+?[0-9 ()/.-]+$`)

// ParseLostModeText checks the text a tenant sets for its phones' lost mode and returns
// it trimmed: each field one line within its limit, the phone number written with digits
// (at least three) and the signs a number is written with, and a footnote only beside a
// message or a phone number, because Apple's lost mode needs one of these two. All three
// empty is allowed: the phones then show a message that names the employer.
func ParseLostModeText(in LostModeText) (LostModeText, error) {
	t := LostModeText{Message: strings.TrimSpace(in.Message), PhoneNumber: strings.TrimSpace(in.PhoneNumber),
		Footnote: strings.TrimSpace(in.Footnote)}
	fields := []struct {
		id, name, value string
		max             int
	}{
		{"refusal.lost_message_length", "the lost-mode message", t.Message, MaxLostMessage},
		{"refusal.lost_phone_number_length", "the lost-mode phone number", t.PhoneNumber, MaxLostPhoneNumber},
		{"refusal.lost_footnote_length", "the lost-mode footnote", t.Footnote, MaxLostFootnote},
	}
	for _, f := range fields {
		if err := checkText(f.name, f.value); err != nil {
			return LostModeText{}, err
		}
		if strings.IndexFunc(f.value, breaksLine) >= 0 {
			return LostModeText{}, Refuse("refusal.lost_one_line",
				fmt.Errorf("%w: %s must be one line, without line breaks or control characters", ErrInvalid, f.name))
		}
		if utf8.RuneCountInString(f.value) > f.max {
			return LostModeText{}, Refuse(f.id, fmt.Errorf("%w: %s may have at most %d characters", ErrInvalid, f.name, f.max),
				"Max", strconv.Itoa(f.max))
		}
	}
	if t.PhoneNumber != "" && (!lostPhoneNumber.MatchString(t.PhoneNumber) || len(strings.Map(digitOnly, t.PhoneNumber)) < 3) {
		return LostModeText{}, Refuse("refusal.lost_phone_number",
			fmt.Errorf("%w: the lost-mode phone number takes digits, spaces and + ( ) - / . only, for example +49 431 123-456", ErrInvalid))
	}
	if t.Footnote != "" && t.Message == "" && t.PhoneNumber == "" {
		return LostModeText{}, Refuse("refusal.lost_footnote_alone",
			fmt.Errorf("%w: a lost-mode footnote needs a message or a phone number beside it, as lost mode shows one of them at least", ErrInvalid))
	}
	return t, nil
}

// breaksLine reports whether r has no place in one line of a lock screen.
func breaksLine(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp)
}

// digitOnly keeps the ASCII digits of a string (strings.Map).
func digitOnly(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// SetLostModeText sets what the tenant's company-owned phones show in lost mode
// (ParseLostModeText says what it may hold), in one transaction with its audit event. A
// phone takes the text that is set when its lost mode is sent.
func (s *Service) SetLostModeText(ctx context.Context, actor string, t Tenant, text LostModeText) (Tenant, error) {
	text, err := ParseLostModeText(text)
	if err != nil {
		return Tenant{}, err
	}
	err = s.atomic(ctx, func(tx Store, at time.Time) error {
		if err := tx.Tenants().SetLostModeText(ctx, t.ID, text); err != nil {
			return fmt.Errorf("set the lost-mode text of tenant %s: %w", t.Name, err)
		}
		_, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.TenantLostModeText, Subject: audit.Tenant.Of(t.ID),
			Details: audit.Fields(map[string]any{"message": text.Message, "phone_number": text.PhoneNumber, "footnote": text.Footnote})})
		return err
	})
	if err != nil {
		return Tenant{}, err
	}
	t.LostMode = text
	return t, nil
}
