package enrolment

import (
	"context"
	"net/netip"
)

// StartEnrolmentFrom is StartEnrolment for a code typed on a phone's sign-in page by the
// client: codes that lead nowhere (unknown, used, expired, revoked) count against the
// client's guesses like codes tried on the portal, and a client that has used them up is
// refused with ErrTooManyGuesses until the window ends, whatever code it sends.
func (s *Service) StartEnrolmentFrom(ctx context.Context, client netip.Addr, req EnrolmentRequest) (StartedEnrolment, error) {
	var out StartedEnrolment
	err := s.LimitGuesses(ctx, client, func() (err error) {
		out, err = s.StartEnrolment(ctx, req)
		return err
	})
	return out, err
}
