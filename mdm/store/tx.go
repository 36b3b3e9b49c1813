package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// Tx is one database transaction, and the only way to one: the domain's writes, the
// rows a component keeps in tables of its own (DB), the jobs they queue and their audit
// events all go through a Tx, so they commit together or not at all. Every audit event
// appended through a Tx passes the hook the service registered (checkpoints), whoever
// appends it.
type Tx struct {
	*Store
}

// DB returns the transaction as gorm sees it, for a component's own tables: this is how a
// platform extends the one transaction with its rows.
func (tx *Tx) DB(ctx context.Context) *gorm.DB { return tx.db.WithContext(ctx) }

// Atomic runs fn in one transaction. Called inside a transaction, it nests as a savepoint.
func (s *Store) Atomic(ctx context.Context, fn func(tx mdm.Store) error) error {
	return s.transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// transact runs fn in a transaction, or in a savepoint of the one s is already in. Once
// a transaction of its own has committed, the server's memory is brought up to it
// (Changes.Sync), so that whatever the caller does next sees the change. A commit that
// PostgreSQL never answered is mdm.ErrCommitInDoubt.
func (s *Store) transact(ctx context.Context, fn func(tx *Tx) error) error {
	committing := false
	err := s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		in := *s
		in.db = db
		in.inTx = true
		err := fn(&Tx{Store: &in})
		committing = err == nil
		return err
	})
	if err != nil && committing && !s.inTx && s.postgres && !answeredBy(err) {
		return fmt.Errorf("%w: %w", mdm.ErrCommitInDoubt, err)
	}
	if err == nil && !s.inTx {
		// A failed look makes the memory unused until one succeeds: nothing to report.
		_ = s.changes.Sync(context.WithoutCancel(ctx))
	}
	return err
}

// answeredBy reports whether err is PostgreSQL's own answer (some as gorm translates
// them), which is final: a commit it refused did not happen. Any other failure of a
// commit (the connection lost, the server gone) leaves open whether it was made.
func answeredBy(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) || errors.Is(err, gorm.ErrDuplicatedKey) ||
		errors.Is(err, gorm.ErrForeignKeyViolated) || errors.Is(err, gorm.ErrCheckConstraintViolated)
}

// within runs fn in the transaction s is in, or in a new one: for a step that never
// continues after its own failure (the caller's transaction ends with the error), so that
// it needs no savepoint of its own, which would cost two round trips on PostgreSQL.
func (s *Store) within(ctx context.Context, fn func(tx *Tx) error) error {
	if s.inTx {
		return fn(&Tx{Store: s})
	}
	return s.transact(ctx, fn)
}

// ErrNoTransaction is returned by Extend for a store that is not a transaction of this
// package.
var ErrNoTransaction = errors.New("store: not a transaction of the domain's database")

// Extend returns the transaction under tx, a domain store handed to a component inside a
// transaction (a platform deleting its rows of forgotten devices), so that the component
// writes its own tables in it.
func Extend(tx mdm.Store) (*Tx, error) {
	t, ok := tx.(*Tx)
	if !ok {
		return nil, fmt.Errorf("%w (%T)", ErrNoTransaction, tx)
	}
	return t, nil
}

// Tables is how a component that keeps tables of its own in the domain's database (a
// platform, the CA, nanomdm's storage) reaches them: it reads them through DB and writes
// them in the one transaction through Atomic, where it also queues its jobs and appends
// its audit events. It gives no other way into the domain's rows.
type Tables struct {
	s *Store
}

// Tables returns the handle for components with tables of their own.
func (s *Store) Tables() Tables { return Tables{s: s} }

// DB returns the database for the component's own tables, outside any transaction; nil
// for the zero Tables, which has none.
func (t Tables) DB() *gorm.DB {
	if t.s == nil {
		return nil
	}
	return t.s.db
}

// Atomic runs fn in one transaction.
func (t Tables) Atomic(ctx context.Context, fn func(tx *Tx) error) error {
	return t.s.transact(ctx, fn)
}

// on returns the store that tx works in: the transaction's, or the store itself outside
// one. A sub-domain's tables are a view type of this package (store.Access, …) built on
// it, so that the sub-domain sees its own rows and nothing else, and its writes share
// whatever transaction tx is.
func on(tx mdm.Store) *Store {
	switch v := tx.(type) {
	case *Tx:
		return v.Store
	case *Store:
		return v
	}
	panic(fmt.Sprintf("store: %T is not a store of this package", tx))
}
