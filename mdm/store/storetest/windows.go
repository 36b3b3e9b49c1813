package storetest

import "time"

// ToMidWindow returns how far a clock that shows now must move on to stand in the middle
// of a counting window of the given length (enrolment.GuessWindow, access.ThrottleWindow).
// Wrong guesses and sign-in attempts are counted per window; a test that tries up to the
// limit on a clock near a window's end would see its tries fall into two windows and the
// limit never reached.
func ToMidWindow(now time.Time, window time.Duration) time.Duration {
	mid := now.Truncate(window).Add(window / 2)
	if mid.Before(now) {
		mid = mid.Add(window)
	}
	return mid.Sub(now)
}
