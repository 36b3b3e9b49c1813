package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// The bounds of what a server keeps in memory (see Kept and docs/architecture.md, "What
// a check-in keeps in memory").
const (
	// ChangesEvery is how often the server looks for changes it may not have been told of.
	ChangesEvery = 200 * time.Millisecond
	// ChangesBound is how long after the start of its last successful look the server
	// still answers from memory. A change committed before that start was seen by the
	// look and dropped from memory; when looks fail or stall, memory is not used after
	// this bound, and a change is refused everywhere within it.
	ChangesBound = 800 * time.Millisecond
	// changesKept is how long the rows of cache_changes are kept. A server that has not
	// looked for half of it forgets everything it keeps instead of trusting the rows.
	changesKept = 10 * time.Minute
	// changesChannel is the PostgreSQL channel on which every new row is announced.
	changesChannel = "trennwand_cache"
)

// Changes is how a server learns that rows it keeps in memory have changed, by its own
// hand or another replica's: each change that matters is a row of cache_changes, written
// in the change's transaction (by triggers on the tables, or RecordChanges), and named by
// a key such as "device:ID". The server reads the rows committed since it last looked,
// every ChangesEvery and after each of its own transactions (Store.Atomic), and on
// PostgreSQL is told of each at once by NOTIFY. Those who keep rows in memory (Kept)
// subscribe to the keys; the empty key means everything.
//
// A command-line process never runs the feed, so it keeps nothing in memory.
type Changes struct {
	db       *gorm.DB
	postgres bool
	url      string
	log      *slog.Logger
	now      func() time.Time

	running atomic.Bool
	// good is the start of the last successful look (Unix nanoseconds); 0 for none.
	good atomic.Int64

	// Looks asked for at once share one: turn guards looking, started and done, and wakes
	// the callers waiting for a look to finish.
	turn    sync.Mutex
	turned  *sync.Cond
	looking bool
	started uint64 // looks started so far
	done    uint64 // the last look finished

	look sync.Mutex // guards known, cursor and told
	// known says that cursor is where the last look ended: on SQLite, the last row read
	// (one writer at a time commits rows in the order of their IDs); on PostgreSQL the
	// oldest transaction still running then, whose rows and all later ones are read again.
	known  bool
	cursor string
	// told holds the PostgreSQL rows the last look told of: the next look reads them again
	// while their transactions' IDs are not below the oldest running one, and skips them.
	told map[int64]struct{}

	subMu sync.RWMutex
	subs  []func(key string)
}

func newChanges(db *gorm.DB, dsn DSN) *Changes {
	c := &Changes{db: db, postgres: dsn.Postgres, url: dsn.URL, log: slog.New(slog.DiscardHandler), now: time.Now}
	c.turned = sync.NewCond(&c.turn)
	return c
}

// Changes returns the store's feed of changes.
func (s *Store) Changes() *Changes { return s.changes }

// Subscribe calls fn with the key of every change the server learns of, and with "" when
// it cannot tell what changed. fn must be quick: it runs on the feed's goroutine.
func (c *Changes) Subscribe(fn func(key string)) {
	if c == nil {
		return
	}
	c.subMu.Lock()
	defer c.subMu.Unlock()
	c.subs = append(c.subs, fn)
}

func (c *Changes) tell(key string) {
	c.subMu.RLock()
	defer c.subMu.RUnlock()
	for _, fn := range c.subs {
		fn(key)
	}
}

// Fresh reports whether memory may answer now: the feed runs and its last successful look
// started less than ChangesBound ago.
func (c *Changes) Fresh() bool {
	if c == nil || !c.running.Load() {
		return false
	}
	good := c.good.Load()
	return good != 0 && c.now().Sub(time.Unix(0, good)) < ChangesBound
}

// Run follows the changes until ctx ends: it looks every ChangesEvery, prunes old rows
// once a minute and, on PostgreSQL, listens for NOTIFY.
func (c *Changes) Run(ctx context.Context, log *slog.Logger) {
	c.run(ctx, log, true)
}

// RunWithoutNotify is Run as it is when every NOTIFY is lost: only the periodic look.
// Tests use it to show the bound.
func (c *Changes) RunWithoutNotify(ctx context.Context, log *slog.Logger) {
	c.run(ctx, log, false)
}

func (c *Changes) run(ctx context.Context, log *slog.Logger, notify bool) {
	if log != nil {
		c.log = log
	}
	c.running.Store(true)
	defer func() {
		c.running.Store(false)
		c.tell("")
	}()
	if notify && c.postgres {
		go c.listen(ctx)
	}
	_ = c.Sync(ctx)
	tick := time.NewTicker(ChangesEvery)
	defer tick.Stop()
	lastPrune := c.now()
	failing := false // logged once until a look succeeds again, not five times a second
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		err := c.Sync(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			c.log.Warn("look for changes of what is kept in memory; answering from the database until it works", "error", err)
			failing = true
		case err == nil && failing:
			c.log.Info("looks for changes work again")
			failing = false
		}
		if c.now().Sub(lastPrune) >= time.Minute {
			lastPrune = c.now()
			if err := c.prune(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("prune cache_changes", "error", err)
			}
		}
	}
}

// Sync looks for changes now, so that the server's memory holds nothing older than what
// was committed before the call. It does nothing when the feed does not run. On failure,
// everything kept is dropped and memory is not used until a look succeeds. Callers at the
// same moment share a look that started after all of them called: a look already under
// way may have taken its snapshot before their commits. The error is that of a look the
// caller made itself.
func (c *Changes) Sync(ctx context.Context) error {
	if c == nil || !c.running.Load() {
		return nil
	}
	c.turn.Lock()
	defer c.turn.Unlock()
	// The look under way, if any, started before the call; the next one is the first that
	// is enough.
	want := c.started + 1
	var err error
	for c.done < want {
		if c.looking {
			c.turned.Wait()
			continue
		}
		c.looking = true
		c.started++
		n := c.started
		c.turn.Unlock()
		err = c.lookNow(ctx)
		c.turn.Lock()
		c.looking, c.done = false, n
		c.turned.Broadcast()
	}
	return err
}

// lookNow reads the changes and drops what they name.
func (c *Changes) lookNow(ctx context.Context) error {
	c.look.Lock()
	defer c.look.Unlock()
	start := c.now()
	if good := c.good.Load(); c.known && (good == 0 || start.Sub(time.Unix(0, good)) > changesKept/2) {
		c.known = false
	}
	keys, cursor, told, err := c.read(ctx)
	if err != nil {
		c.known, c.told = false, nil
		c.good.Store(0)
		c.tell("")
		return fmt.Errorf("look for changes: %w", err)
	}
	if !c.known {
		// Anything may have changed while nobody looked.
		c.tell("")
	}
	for _, k := range keys {
		c.tell(k)
	}
	c.known, c.cursor, c.told = true, cursor, told
	c.good.Store(start.UnixNano())
	return nil
}

// read returns the keys of the rows committed since the last look (none when the cursor
// is not known: the caller forgets everything then), the new cursor and the rows told of.
func (c *Changes) read(ctx context.Context) (keys []string, cursor string, told map[int64]struct{}, err error) {
	db := c.db.WithContext(ctx)
	if !c.known {
		q := `SELECT CAST(COALESCE(MAX(id), 0) AS TEXT) FROM cache_changes`
		if c.postgres {
			q = `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`
		}
		err := db.Raw(q).Row().Scan(&cursor)
		return nil, cursor, nil, err
	}
	var rows []struct {
		Cursor string
		ID     *int64
		Key    *string
	}
	if c.postgres {
		// One statement, one snapshot: the rows of every transaction that had not ended at
		// the last look, and of all that began since; the oldest still running now.
		err = db.Raw(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS cursor, c.id, c.key
FROM (SELECT 1) AS one LEFT JOIN cache_changes c ON c.xid >= CAST(? AS xid8)`, c.cursor).Scan(&rows).Error
	} else {
		last, perr := strconv.ParseInt(c.cursor, 10, 64)
		if perr != nil {
			return nil, "", nil, fmt.Errorf("cursor %q: %w", c.cursor, perr)
		}
		err = db.Raw(`SELECT CAST(id AS TEXT) AS cursor, id, key FROM cache_changes WHERE id > ? ORDER BY id`, last).Scan(&rows).Error
	}
	if err != nil {
		return nil, "", nil, err
	}
	if c.postgres {
		if len(rows) == 0 {
			return nil, "", nil, errors.New("no snapshot")
		}
		told = make(map[int64]struct{})
	}
	cursor = c.cursor
	for _, r := range rows {
		cursor = r.Cursor
		if r.Key == nil {
			continue
		}
		if told != nil {
			told[*r.ID] = struct{}{}
			if _, before := c.told[*r.ID]; before {
				continue
			}
		}
		keys = append(keys, *r.Key)
	}
	return keys, cursor, told, nil
}

// prune deletes the rows every server has read long ago.
func (c *Changes) prune(ctx context.Context) error {
	q := `DELETE FROM cache_changes WHERE at < datetime('now', '-10 minutes')`
	if c.postgres {
		q = `DELETE FROM cache_changes WHERE at < now() - interval '10 minutes'`
	}
	return c.db.WithContext(ctx).Exec(q).Error
}

// RecordChanges writes changes of rows that servers may keep in memory, in the
// transaction tx of the change, for a component whose tables have no trigger that does.
func RecordChanges(tx *gorm.DB, keys ...string) error {
	for _, k := range keys {
		if err := tx.Exec(`INSERT INTO cache_changes (key) VALUES (?)`, k).Error; err != nil {
			return fmt.Errorf("record change %s: %w", k, err)
		}
	}
	return nil
}
