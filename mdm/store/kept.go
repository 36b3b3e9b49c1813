package store

import (
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// KeptPhones is how many phones' answers a server keeps for their Idle check-ins, in each
// memory (devices by token, revocations, enrolments): as many as the CA remembers checked
// certificate chains (pki), so that a phone remembered in one is remembered in all. At this
// size the three hold about 19 MiB (BenchmarkKeptMemory).
const KeptPhones = 20_000

// Kept is a bounded copy in memory (least recently used out first) of values read from
// the database, for a hot path such as the Idle check-in. Each value belongs to a row that
// a change names "kind:id" ("device:ID"); when the feed of changes names the row, or cannot
// tell what changed, the value is dropped. Kept answers from memory only while the feed is
// fresh (Changes.Fresh); otherwise, and always in a command-line process, every Load reads.
type Kept[K comparable, V any] struct {
	changes *Changes
	prefix  string // "kind:"
	keep    func(V) bool
	// byID finds the keys of a row's values: the key itself when values are kept by the
	// row's id (NewKept), else through index (NewKeptBy).
	byID  func(id string) []K
	rowOf func(K, V) string

	// mu guards everything below; entries is the unlocked LRU, so that a Load takes one
	// lock, not this one and a cache's own.
	mu      sync.Mutex
	gen     uint64 // counts drops, so that a read that raced with one is not kept
	index   map[string][]K
	entries *simplelru.LRU[K, V]
}

// NewKept returns an empty memory of at most size values kept by the id of their row,
// which changes name "kind:id". keep, if not nil, says which values are worth keeping.
func NewKept[V any](changes *Changes, size int, kind string, keep func(V) bool) *Kept[string, V] {
	k := &Kept[string, V]{changes: changes, prefix: kind + ":", keep: keep}
	k.byID = func(id string) []string { return []string{id} }
	return k.start(size)
}

// NewKeptBy returns an empty memory of at most size values kept by a key of their own (a
// token's hash), whose row's id the value holds (row); changes name it "kind:id".
func NewKeptBy[K comparable, V any](changes *Changes, size int, kind string, row func(V) string, keep func(V) bool) *Kept[K, V] {
	k := &Kept[K, V]{changes: changes, prefix: kind + ":", keep: keep, index: make(map[string][]K)}
	k.rowOf = func(_ K, v V) string { return row(v) }
	k.byID = func(id string) []K { return k.index[id] }
	return k.start(size)
}

func (k *Kept[K, V]) start(size int) *Kept[K, V] {
	var evicted simplelru.EvictCallback[K, V]
	if k.index != nil {
		evicted = k.evicted
	}
	var err error
	if k.entries, err = simplelru.NewLRU(size, evicted); err != nil {
		panic(err) // only for a size below one
	}
	k.changes.Subscribe(k.drop)
	return k
}

// Load returns the value of key: from memory when the feed is fresh and it is there, else
// from read, keeping what it returns unless something was dropped while it read.
func (k *Kept[K, V]) Load(key K, read func() (V, error)) (V, error) {
	if !k.changes.Fresh() {
		return read()
	}
	k.mu.Lock()
	v, ok := k.entries.Get(key)
	gen := k.gen
	k.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := read()
	if err != nil || (k.keep != nil && !k.keep(v)) {
		return v, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// A change committed while read ran may have been dropped before the value arrived;
	// the value could predate it.
	if k.gen == gen && k.changes.Fresh() {
		known := k.entries.Contains(key) // read twice at once: its row is in the index
		k.entries.Add(key, v)
		if k.index != nil && !known {
			id := k.rowOf(key, v)
			k.index[id] = append(k.index[id], key)
		}
	}
	return v, nil
}

// Forget drops the value of key, for a change this server made outside a transaction
// of the store (whose commit brings memory up to date by itself).
func (k *Kept[K, V]) Forget(key K) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	k.entries.Remove(key)
}

// Len returns how many values are kept.
func (k *Kept[K, V]) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.entries.Len()
}

// drop drops the values of the row that the change names, or all for "".
func (k *Kept[K, V]) drop(change string) {
	id, ok := strings.CutPrefix(change, k.prefix)
	if change != "" && !ok {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	if change == "" {
		k.entries.Purge()
		clear(k.index)
		return
	}
	// Removing calls evicted, which changes the index under the loop.
	for _, key := range slices.Clone(k.byID(id)) {
		k.entries.Remove(key)
	}
}

// evicted keeps index in step with the entries; the cache calls it with k.mu held.
func (k *Kept[K, V]) evicted(key K, v V) {
	id := k.rowOf(key, v)
	keys := k.index[id]
	for i, other := range keys {
		if other == key {
			keys = append(keys[:i], keys[i+1:]...)
			break
		}
	}
	if len(keys) == 0 {
		delete(k.index, id)
	} else {
		k.index[id] = keys
	}
}
