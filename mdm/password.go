package mdm

import (
	"runtime"
	"sync"

	"github.com/alexedwards/argon2id"
)

// passwordSlots bounds how many argon2id computations run at once. Each takes 64 MiB of
// memory by design and all processor cores (its parallelism is their number), so a second
// one at the same time would double the memory and gain nothing. The others wait their
// turn, which the sign-in throttle keeps short.
var passwordSlots = make(chan struct{}, 1)

// withPasswordSlot runs one argon2id computation in the slot and collects its memory
// before it gives the slot up. Those 64 MiB are garbage the moment the hash is done;
// collected at once, the next computation takes the same pages again. Left to the
// collector's own pace, a burst of sign-ins grew the heap to several times 64 MiB, which the
// process then kept.
func withPasswordSlot[T any](hash func() T) T {
	passwordSlots <- struct{}{}
	defer func() { <-passwordSlots }()
	v := hash()
	runtime.GC()
	return v
}

// hashPassword returns the argon2id hash of a password to store.
func hashPassword(password string) (string, error) {
	type result struct {
		hash string
		err  error
	}
	r := withPasswordSlot(func() result {
		h, err := argon2id.CreateHash(password, argon2id.DefaultParams)
		return result{h, err}
	})
	return r.hash, r.err
}

// passwordMatches reports whether password is the one hashed.
func passwordMatches(password, hash string) bool {
	return withPasswordSlot(func() bool {
		ok, err := argon2id.ComparePasswordAndHash(password, hash)
		return err == nil && ok
	})
}

// dummyHash is compared against when the account does not exist, so that an unknown
// address takes as long to refuse as a wrong password. It is made on first use, not when
// a process starts: every CLI command would pay 64 MiB and tens of milliseconds for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("not a password")
	return h
})
