package access

import (
	"errors"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// While the one password slot is taken, a check waits a bounded time and is then turned
// away with ErrBusy instead of queueing behind a burst; once the slot is free, checks run
// again.
func TestAPasswordCheckWaitsABoundedTimeForTheSlot(t *testing.T) {
	defer func(d time.Duration) { passwordWait = d }(passwordWait)
	passwordWait = 20 * time.Millisecond
	hash, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}

	passwordSlots <- struct{}{} // a burst holds the slot
	if _, err := passwordMatches("correct horse battery", hash); !errors.Is(err, ErrBusy) {
		t.Fatalf("check while the slot is held: %v, want ErrBusy", err)
	}
	if err := refuseAlike("anything"); !errors.Is(err, ErrBusy) {
		t.Fatalf("refusal of an unknown account while the slot is held: %v, want ErrBusy", err)
	}
	if _, err := CheckPassword(mdm.Admin{PasswordHash: hash}, "correct horse battery"); !errors.Is(err, ErrBusy) {
		t.Fatalf("administrator's check while the slot is held: %v, want ErrBusy", err)
	}
	<-passwordSlots

	if ok, err := passwordMatches("correct horse battery", hash); err != nil || !ok {
		t.Fatalf("check with the slot free: %v, %v", ok, err)
	}
	if ok, err := passwordMatches("wrong", hash); err != nil || ok {
		t.Fatalf("wrong password with the slot free: %v, %v", ok, err)
	}
}
