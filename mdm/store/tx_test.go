package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// A transaction whose COMMIT PostgreSQL never answered is in doubt, whether the commit
// was made or not, and the error says so; one that failed before its commit, or that
// PostgreSQL refused, is not: it did not happen.
func TestACommitWithoutAnAnswerIsInDoubt(t *testing.T) {
	ctx := context.Background()
	s, cutter := storetest.OpenBehindCutter(t)
	// The uniqueness is checked at the commit, so that PostgreSQL refuses the commit itself.
	storetest.Exec(t, s, "CREATE TABLE marks (id TEXT NOT NULL, UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)")
	mark := func(id string) error {
		return s.Tables().Atomic(ctx, func(tx *store.Tx) error {
			var v any = id
			if id == "" {
				v = nil
			}
			return tx.DB(ctx).Exec("INSERT INTO marks (id) VALUES (?)", v).Error
		})
	}
	for _, c := range []struct {
		name    string
		before  func()
		id      string
		inDoubt bool
		made    bool
	}{
		{"the answer to the commit is lost", cutter.LoseNextAnswer, "a", true, true},
		{"the commit is lost on its way", cutter.LoseNextCommit, "b", true, false},
		{"the server refuses the commit", func() {}, "a", false, false},
		{"the server refuses a statement before the commit", func() {}, "", false, false},
		{"all goes well", func() {}, "c", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := storetest.Count(t, s, "marks", "id = ?", c.id)
			c.before()
			err := mark(c.id)
			if got := errors.Is(err, mdm.ErrCommitInDoubt); got != c.inDoubt {
				t.Errorf("in doubt: %v (%v), want %v", got, err, c.inDoubt)
			}
			made := storetest.Count(t, s, "marks", "id = ?", c.id) > before
			if made != c.made {
				t.Errorf("made: %v, want %v", made, c.made)
			}
		})
	}
}
