// Package store keeps a service's query state in memory: keyed collections
// with keyset pagination for List RPCs. Page tokens are opaque to clients
// and stable while items are added: a page never repeats or skips an item
// that existed when the first page was read.
package store

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/kafka-enterprise-orders/orders/internal/validate"
)

// Limits bound a Recent collection's memory and its pages.
type Limits struct {
	// Items is the most keys kept; past it the oldest (by first insert)
	// are evicted, and Get no longer finds them.
	Items int
	// PageBytes is the most encoded bytes of protobuf values a page
	// holds; a page is cut short (with a next token) before passing it,
	// and holds at least one value.
	PageBytes int
}

// DefaultLimits keep a million keys and 4 MiB pages.
var DefaultLimits = Limits{Items: 1_000_000, PageBytes: 4 << 20}

// orDefault fills the unset limits from DefaultLimits.
func (l Limits) orDefault() Limits {
	if l.Items <= 0 {
		l.Items = DefaultLimits.Items
	}
	if l.PageBytes <= 0 {
		l.PageBytes = DefaultLimits.PageBytes
	}
	return l
}

// Recent holds values by key and lists them newest first (by first insert).
type Recent[V any] struct {
	limits  Limits
	mu      sync.RWMutex
	seq     int64
	items   map[string]*entry[V]
	order   []*entry[V] // ascending seq
	evicted int64
}

type entry[V any] struct {
	key string
	seq int64
	val V
}

// NewRecent returns an empty collection bounded by limits (zero fields
// take DefaultLimits').
func NewRecent[V any](limits Limits) *Recent[V] {
	return &Recent[V]{limits: limits.orDefault(), items: map[string]*entry[V]{}}
}

// Update sets the value of key to fn(old, found); a new key goes to the front
// of the listing, an existing one keeps its place.
func (r *Recent[V]) Update(key string, fn func(old V, found bool) V) V {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.items[key]; ok {
		e.val = fn(e.val, true)
		return e.val
	}
	var zero V
	r.seq++
	e := &entry[V]{key: key, seq: r.seq, val: fn(zero, false)}
	r.items[key] = e
	r.order = append(r.order, e)
	for len(r.order) > r.limits.Items {
		delete(r.items, r.order[0].key)
		r.order[0] = nil
		r.order = r.order[1:]
		r.evicted++
	}
	return e.val
}

// Evicted returns how many keys were evicted to keep within the limits.
func (r *Recent[V]) Evicted() int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.evicted
}

// Put sets the value of key.
func (r *Recent[V]) Put(key string, v V) {
	r.Update(key, func(V, bool) V { return v })
}

// Get returns the value of key.
func (r *Recent[V]) Get(key string) (V, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Len returns the number of keys.
func (r *Recent[V]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.items)
}

// Page returns up to size values older than token (newest first) for which
// keep returns true (nil keeps all), and the token of the next page ("" on
// the last page). A malformed token is a validation error on field
// "page_token".
func (r *Recent[V]) Page(size int, token string, keep func(V) bool) ([]V, string, error) {
	before := int64(-1)
	if token != "" {
		cursor, err := decodeToken(token)
		if err != nil {
			return nil, "", err
		}
		if before, err = strconv.ParseInt(cursor, 10, 64); err != nil || before < 0 {
			return nil, "", badToken()
		}
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	i := len(r.order) - 1
	if before >= 0 {
		// first entry with seq >= before, then step back one
		i, _ = slices.BinarySearchFunc(r.order, before, func(e *entry[V], s int64) int { return cmp.Compare(e.seq, s) })
		i--
	}
	var out []V
	bytes, last := 0, int64(0)
	for ; i >= 0; i-- {
		e := r.order[i]
		if keep != nil && !keep(e.val) {
			continue
		}
		n := encodedSize(e.val)
		if len(out) == size || (len(out) > 0 && bytes+n > r.limits.PageBytes) {
			return out, encodeToken(strconv.FormatInt(last, 10)), nil
		}
		out = append(out, e.val)
		bytes, last = bytes+n, e.seq
	}
	return out, "", nil
}

// encodedSize is v's protobuf encoding size (0 for other values).
func encodedSize(v any) int {
	if m, ok := v.(proto.Message); ok {
		return proto.Size(m)
	}
	return 0
}

// Sorted holds values by key and lists them in key order.
type Sorted[V any] struct {
	mu    sync.RWMutex
	items map[string]V
}

// NewSorted returns an empty collection.
func NewSorted[V any]() *Sorted[V] { return &Sorted[V]{items: map[string]V{}} }

// Put sets the value of key.
func (s *Sorted[V]) Put(key string, v V) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = v
}

// Delete removes key.
func (s *Sorted[V]) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
}

// Get returns the value of key.
func (s *Sorted[V]) Get(key string) (V, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.items[key]
	return v, ok
}

// All returns a copy of every key and value.
func (s *Sorted[V]) All() map[string]V {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]V, len(s.items))
	for k, v := range s.items {
		out[k] = v
	}
	return out
}

// Page returns up to size values with keys after token's, in key order, and
// the next page's token.
func (s *Sorted[V]) Page(size int, token string) ([]V, string, error) {
	after := ""
	if token != "" {
		var err error
		if after, err = decodeToken(token); err != nil {
			return nil, "", err
		}
	}
	s.mu.RLock()
	keys := make([]string, 0, len(s.items))
	for k := range s.items {
		if token == "" || k > after {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	next := ""
	if len(keys) > size {
		keys = keys[:size]
		next = encodeToken(keys[size-1])
	}
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = s.items[k]
	}
	s.mu.RUnlock()
	return out, next, nil
}

const tokenPrefix = "v1:"

func encodeToken(cursor string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + cursor))
}

func decodeToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(b), tokenPrefix) {
		return "", badToken()
	}
	return strings.TrimPrefix(string(b), tokenPrefix), nil
}

func badToken() error {
	var c validate.Checker
	c.Add("page_token", "is not a token returned by this API")
	return c.Err()
}
