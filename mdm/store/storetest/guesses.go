package storetest

import (
	"time"

	"github.com/trennwand/trennwand/mdm/enrolment"
)

// ToMidGuessWindow returns how far a clock that shows now must move on to stand in the
// middle of a window of wrong guesses (enrolment.GuessWindow). Wrong guesses are counted
// per window; a test that guesses up to the limit on a clock near a window's end would
// see its guesses fall into two windows and the limit never reached.
func ToMidGuessWindow(now time.Time) time.Duration {
	mid := now.Truncate(enrolment.GuessWindow).Add(enrolment.GuessWindow / 2)
	if mid.Before(now) {
		mid = mid.Add(enrolment.GuessWindow)
	}
	return mid.Sub(now)
}
