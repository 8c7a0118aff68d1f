package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
)

// kept reads a contract's issued statements from a store for rating
// ([rating.IssuedReader]): from its index, and the statements rating asks
// for. It holds a context for the length of one rating.
type kept struct {
	ctx       context.Context
	st        Reader
	org, id   uuid.UUID
	index     []store.Issued
	adjusting map[int][]int
	share     bool // the statements read are rating's alone, to read only
}

func newKept(ctx context.Context, st Reader, org, id uuid.UUID, index []store.Issued, share bool) *kept {
	k := &kept{ctx: ctx, st: st, org: org, id: id, index: index, adjusting: map[int][]int{}, share: share}
	for j, is := range index {
		for _, n := range is.Adjusts {
			k.adjusting[n-1] = append(k.adjusting[n-1], j)
		}
	}
	return k
}

func (k *kept) Len() int              { return len(k.index) }
func (k *kept) Adjusting(i int) []int { return k.adjusting[i] }

// Read reads the statements from the store.
func (k *kept) Read(indexes []int) ([]rating.Statement, error) {
	numbers := make([]int, len(indexes))
	for i, x := range indexes {
		numbers[i] = k.index[x].Number
	}
	got, err := k.st.IssuedStatements(k.ctx, k.org, k.id, numbers...)
	if err != nil {
		return nil, err
	}
	return decodeIssued(got, k.share)
}

// decodeIssued reads the statements a store kept. They are what Issue
// wrote, so a statement that does not read back is a store fault. An
// issued statement never changes, so each is decoded once and kept by its
// bytes (see decoded): rating a contract with years of issued statements
// reads them without parsing them again.
//
// With share, the statements share memory with the cache: for rating,
// which only reads them, and never for a caller.
func decodeIssued(kept []store.Issued, share bool) ([]rating.Statement, error) {
	out := make([]rating.Statement, len(kept))
	for i, k := range kept {
		s, err := decoded.get(k.Statement, share)
		if err != nil {
			return nil, fmt.Errorf("billing: issued statement %d does not read back: %w", k.Number, err)
		}
		out[i] = s
	}
	return out, nil
}

// decoded holds recently decoded issued statements by their JSON.
var decoded = statementCache{seed: maphash.MakeSeed()}

// statementCache maps the JSON of issued statements to the statements,
// bounded at about maxDecoded entries.
type statementCache struct {
	seed  maphash.Seed
	mu    sync.RWMutex
	byKey map[uint64][]decodedStatement
	count int
}

type decodedStatement struct {
	json []byte
	s    rating.Statement // never handed out: callers get copies
}

const maxDecoded = 1 << 14

// get returns the statement data holds: a copy the caller may change, or
// with share the cached one, to read only.
func (c *statementCache) get(data []byte, share bool) (rating.Statement, error) {
	h := maphash.Bytes(c.seed, data)
	c.mu.RLock()
	for _, d := range c.byKey[h] {
		if bytes.Equal(d.json, data) {
			c.mu.RUnlock()
			if share {
				return d.s, nil
			}
			return d.s.Clone(), nil
		}
	}
	c.mu.RUnlock()
	var s rating.Statement
	if err := json.Unmarshal(data, &s); err != nil {
		return rating.Statement{}, err
	}
	c.mu.Lock()
	if c.byKey == nil || c.count >= maxDecoded {
		c.byKey, c.count = map[uint64][]decodedStatement{}, 0 // a bound, not an eviction policy
	}
	c.byKey[h] = append(c.byKey[h], decodedStatement{json: bytes.Clone(data), s: s.Clone()})
	c.count++
	c.mu.Unlock()
	return s, nil
}
