package mdm

import (
	"sync"

	"github.com/alexedwards/argon2id"
)

// passwordSlots bounds how many argon2id computations run at once. Each takes 64 MiB of
// memory by design; without a bound a burst of sign-ins (or an attacker's) would take the
// server's memory with it. The others wait their turn, which the sign-in throttle keeps
// short.
var passwordSlots = make(chan struct{}, 2)

// hashPassword returns the argon2id hash of a password to store.
func hashPassword(password string) (string, error) {
	passwordSlots <- struct{}{}
	defer func() { <-passwordSlots }()
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

// passwordMatches reports whether password is the one hashed.
func passwordMatches(password, hash string) bool {
	passwordSlots <- struct{}{}
	defer func() { <-passwordSlots }()
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	return err == nil && ok
}

// dummyHash is compared against when the account does not exist, so that an unknown
// address takes as long to refuse as a wrong password. It is made on first use, not when
// a process starts: every CLI command would pay 64 MiB and tens of milliseconds for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("not a password")
	return h
})
