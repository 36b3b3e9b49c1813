package access

import (
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
)

// passwordSlots bounds how many argon2id computations run at once. Each takes 64 MiB of
// memory by design and all processor cores (its parallelism is their number), so a second
// one at the same time would double the memory and gain nothing. The others wait their
// turn, which the sign-in throttle keeps short; one that waits longer than passwordWait
// is turned away with ErrBusy, so that a burst of sign-ins cannot hold an administrator's
// own sign-in for minutes.
var passwordSlots = make(chan struct{}, 1)

// passwordWait bounds how long a password check waits for the slot (a variable only so
// that a test need not wait as long).
var passwordWait = 5 * time.Second

// ErrBusy means the server is checking too many passwords at once to take another now;
// the caller may try again in a few seconds.
var ErrBusy = errors.New("the server is busy checking other sign-ins; try again in a few seconds")

// withPasswordSlot runs one argon2id computation in the slot and collects its memory
// before it gives the slot up. Those 64 MiB are garbage the moment the hash is done;
// collected at once, the next computation takes the same pages again. Left to the
// collector's own pace, a burst of sign-ins grew the heap to several times 64 MiB, which the
// process then kept.
func withPasswordSlot[T any](hash func() T) (T, error) {
	wait := time.NewTimer(passwordWait)
	defer wait.Stop()
	select {
	case passwordSlots <- struct{}{}:
	case <-wait.C:
		var zero T
		return zero, ErrBusy
	}
	defer func() { <-passwordSlots }()
	v := hash()
	runtime.GC()
	return v, nil
}

// hashPassword returns the argon2id hash of a password to store.
func hashPassword(password string) (string, error) {
	type result struct {
		hash string
		err  error
	}
	r, err := withPasswordSlot(func() result {
		h, err := argon2id.CreateHash(password, argon2id.DefaultParams)
		return result{h, err}
	})
	if err != nil {
		return "", err
	}
	return r.hash, r.err
}

// passwordMatches reports whether password is the one hashed; ErrBusy when no slot was
// free in time.
func passwordMatches(password, hash string) (bool, error) {
	return withPasswordSlot(func() bool {
		ok, err := argon2id.ComparePasswordAndHash(password, hash)
		return err == nil && ok
	})
}

// dummyHash is the hash compared against when the account does not exist, so that an
// unknown address takes as long to refuse as a wrong password. It is made on first use,
// not when a process starts: every CLI command would pay 64 MiB and tens of milliseconds
// for it. Sign-ins that race to make it each make one, through the slot like any hash.
var dummyHash atomic.Pointer[string]

// refuseAlike spends a password check on an account that does not exist or may not sign
// in, so that its refusal takes as long as a wrong password's; ErrBusy when no slot was
// free in time.
func refuseAlike(password string) error {
	h := dummyHash.Load()
	if h == nil {
		made, err := hashPassword("not a password")
		if err != nil {
			return err
		}
		h = &made
		dummyHash.Store(h)
	}
	_, err := passwordMatches(password, *h)
	return err
}
