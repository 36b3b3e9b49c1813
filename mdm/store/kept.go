package store

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Kept is a bounded copy in memory (least recently used out first) of values read from
// the database, for a hot path such as the Idle check-in. Each value is named by the key
// of the change that makes it wrong ("device:ID"); when the feed of changes names it, or
// cannot tell what changed, the value is dropped. Kept answers from memory only while the
// feed is fresh (Changes.Fresh); otherwise, and always in a command-line process, every
// Load reads.
type Kept[K comparable, V any] struct {
	changes *Changes
	name    func(K, V) string
	keep    func(V) bool

	mu      sync.Mutex // guards everything below, and every call of entries
	gen     uint64     // counts drops, so that a read that raced with one is not kept
	named   map[string]map[K]struct{}
	entries *lru.Cache[K, V]
}

// NewKept returns an empty copy of at most size values on the feed changes. name says
// which change makes a value wrong; keep, if not nil, says which values are worth keeping.
func NewKept[K comparable, V any](changes *Changes, size int, name func(K, V) string, keep func(V) bool) *Kept[K, V] {
	k := &Kept[K, V]{changes: changes, name: name, keep: keep, named: make(map[string]map[K]struct{})}
	entries, err := lru.NewWithEvict(size, k.evicted)
	if err != nil {
		panic(err) // only for a size below one
	}
	k.entries = entries
	changes.Subscribe(k.drop)
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
		k.entries.Add(key, v)
		name := k.name(key, v)
		if k.named[name] == nil {
			k.named[name] = make(map[K]struct{}, 1)
		}
		k.named[name][key] = struct{}{}
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

// drop drops the values that the change named, or all for "".
func (k *Kept[K, V]) drop(name string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gen++
	if name == "" {
		k.entries.Purge()
		clear(k.named)
		return
	}
	for key := range k.named[name] {
		k.entries.Remove(key)
	}
}

// evicted keeps named in step with the entries; the cache calls it with k.mu held.
func (k *Kept[K, V]) evicted(key K, v V) {
	name := k.name(key, v)
	delete(k.named[name], key)
	if len(k.named[name]) == 0 {
		delete(k.named, name)
	}
}
