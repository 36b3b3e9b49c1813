package mdm

import "errors"

// Errors that callers distinguish. Store implementations return them (wrapped) so that the
// edges can turn them into the right answer: a 404, a 409 or a clear CLI message.
var (
	// ErrNotFound means the row does not exist in the caller's tenant. A row of another
	// tenant is reported the same way, so that its existence is not revealed.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write would break a uniqueness rule, for example a second
	// tenant with the same name.
	ErrConflict = errors.New("already exists")
	// ErrInvalid means the input breaks a domain rule; the wrapping error says which.
	ErrInvalid = errors.New("invalid")
	// ErrUnauthenticated means the caller's credentials are missing, unknown, expired or
	// revoked. Which of these it was is not told to the caller.
	ErrUnauthenticated = errors.New("not signed in")
	// ErrCommitInDoubt means the connection to the database was lost while it committed
	// a transaction: the transaction may have committed or not (a PostgreSQL primary lost
	// in the middle of a commit, whose standby may or may not have it). A caller that told
	// someone else about the change looks whether it is there before it answers.
	ErrCommitInDoubt = errors.New("the database was lost during the commit; the change may or may not have been made")
)
