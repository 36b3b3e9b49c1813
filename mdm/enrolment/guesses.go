package enrolment

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// Guessing invitation codes is limited per client address: after MaxFailedGuesses codes
// that lead nowhere within one GuessWindow, each further one is answered with "wait"
// until the next window. Only the wrong guesses are limited: a usable code always works,
// because colleagues share an address behind a town hall's NAT and one of them guessing
// must not stop the others' enrolment. With 160-bit codes guessing cannot succeed anyway;
// the limit keeps scanners from filling logs, and it is counted in the database, so that
// N replicas behind a load balancer enforce one limit, not N.
const (
	GuessWindow      = 15 * time.Minute
	MaxFailedGuesses = 30
)

// ErrTooManyGuesses means the client has tried too many codes that lead nowhere.
var ErrTooManyGuesses = errors.New("too many unusable invitation codes from this address; wait a few minutes")

// guessKey is how a client is counted: its IPv4 address, or the /64 network of an IPv6
// address (one household or phone usually holds a whole /64), hashed so that the table
// keeps no readable addresses.
func guessKey(client netip.Addr) []byte {
	client = client.Unmap()
	if client.Is6() {
		if p, err := client.Prefix(64); err == nil {
			client = p.Addr()
		}
	}
	sum := sha256.Sum256([]byte("code-guess:" + client.String()))
	return sum[:]
}

// guarded runs fn, which looks at an invitation code, and counts a failure when fn finds
// the code unusable; the failure beyond the client's MaxFailedGuesses is ErrTooManyGuesses.
func (s *Service) guarded(ctx context.Context, client netip.Addr, fn func() error) error {
	err := fn()
	if !errors.Is(err, ErrInvitationGone) {
		return err
	}
	n, countErr := s.Tables(s.DB).AddFailedGuess(ctx, guessKey(client), s.Settings.Now().Truncate(GuessWindow))
	if countErr != nil {
		return errors.Join(err, fmt.Errorf("count failed guess: %w", countErr))
	}
	if n > MaxFailedGuesses {
		return ErrTooManyGuesses
	}
	return err
}

// LimitGuesses runs fn, which looks up what a value from outside names (an identifier only
// the right device should know), under the client's limit of wrong guesses that invitation
// codes count against: an ErrNotFound of fn counts as one wrong guess, and a wrong guess
// beyond the limit is ErrTooManyGuesses; what fn finds is always answered.
func (s *Service) LimitGuesses(ctx context.Context, client netip.Addr, fn func() error) error {
	return s.guarded(ctx, client, func() error {
		err := fn()
		if errors.Is(err, mdm.ErrNotFound) && !errors.Is(err, ErrInvitationGone) {
			// Counted like a code that is gone; still reported as not found.
			return fmt.Errorf("%w: %w", err, ErrInvitationGone)
		}
		return err
	})
}
