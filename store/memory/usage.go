package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// usageLog holds a tenant's usage: a columnar log in ingest order (the
// ingest position of an event is its index), what usage of each product
// contract must fit, and the billing marks.
type usageLog struct {
	log     usagelog.Log
	targets map[uuid.UUID]usage.Target // product contract → what its usage must fit; nil: rebuild
	marks   map[uuid.UUID][]usage.Mark // parent contract → marks, oldest first
}

func (l *usageLog) init()       { l.marks = map[uuid.UUID][]usage.Mark{} }
func (l *usageLog) invalidate() { l.targets = nil; l.log.ForgetTargets() }

// targetsOf maps every product contract to its dates, product and the time
// zone of a parent contract above it (UTC for a draft).
func (t *tenant) targetsOf() map[uuid.UUID]usage.Target {
	if t.usage.targets != nil {
		return t.usage.targets
	}
	m := map[uuid.UUID]usage.Target{}
	for _, id := range t.order[contract.KindProductContract] {
		p := t.docs[id].value.(contract.ProductContract)
		m[id] = usage.Target{ProductID: p.ProductID, Start: p.Start, End: p.End, Location: time.UTC}
	}
	for _, id := range t.order[contract.KindParentContract] {
		parent := t.docs[id].value.(contract.ParentContract)
		loc, err := parent.Location()
		if err != nil {
			continue
		}
		t.walk(parent.SubContract, func(pc uuid.UUID) {
			if tg, ok := m[pc]; ok {
				tg.Location = loc
				m[pc] = tg
			}
		})
	}
	t.usage.targets = m
	return m
}

// walk calls fn with every product contract id beneath s, in document
// order, each once.
func (t *tenant) walk(s contract.SubContract, fn func(uuid.UUID)) {
	seen := map[uuid.UUID]bool{}
	var rec func(s contract.SubContract)
	rec = func(s contract.SubContract) {
		for _, pc := range s.ProductContracts {
			if !seen[pc] {
				seen[pc] = true
				fn(pc)
			}
		}
		for _, sub := range s.SubContracts {
			if d := t.docs[sub]; d != nil && !seen[sub] {
				seen[sub] = true
				if sc, ok := d.value.(contract.SubContract); ok {
					rec(sc)
				}
			}
		}
	}
	rec(s)
}

// Ingest implements [store.UsageWriter]. The batch is validated and
// appended under the store's lock, so concurrent ingests of one id store
// it exactly once.
func (s *Store) Ingest(ctx context.Context, org uuid.UUID, events []usage.Event) (store.Ingested, error) {
	if err := ctx.Err(); err != nil {
		return store.Ingested{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(org, true)
	targets := t.targetsOf()
	added, replayed, err := t.usage.log.Ingest(events, func(id uuid.UUID) (usage.Target, bool) {
		tg, ok := targets[id]
		return tg, ok
	})
	if err != nil {
		return store.Ingested{}, err
	}
	return store.Ingested{Added: added, Replayed: replayed}, nil
}

// Usage implements [store.UsageReader].
func (s *Store) Usage(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date) ([]usage.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	want := make(map[uuid.UUID]bool, len(productContracts))
	for _, id := range productContracts {
		want[id] = true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if t == nil {
		return nil, nil
	}
	l := &t.usage.log
	wanted := make([]bool, l.Groups())
	for g := range wanted {
		wanted[g] = want[l.Key(int32(g)).ContractID]
	}
	var out []usage.Event
	for i := range l.Len() {
		if d := l.Day(i); wanted[l.GroupOf(i)] && d >= from && d <= to {
			out = append(out, l.Event(i))
		}
	}
	return out, nil
}

// Aggregate implements [store.UsageAggregator] over the columnar log: for
// each request it reads only the events of that product contract.
func (s *Store) Aggregate(ctx context.Context, org uuid.UUID, reqs []usage.Request) ([][]usage.Aggregates, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := usage.ValidateRequests(reqs); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if t == nil {
		return usage.Answers(reqs), nil
	}
	return t.usage.log.Answer(reqs), nil
}

// UsageSince implements [store.UsageReader].
func (s *Store) UsageSince(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID, from, to date.Date, since int64) ([]usage.Stored, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if t == nil {
		return nil, nil
	}
	l := &t.usage.log
	var groups []int32
	for _, pc := range productContracts {
		groups = append(groups, l.GroupsOf(pc)...)
	}
	var out []usage.Stored
	for _, i := range l.Since(groups, from, to, int(min(since, int64(l.Len())))) {
		out = append(out, usage.Stored{Event: l.Event(i), Day: l.Day(i), Position: int64(i)})
	}
	return out, nil
}

// Mark implements [store.UsageMarker]: the mark holds the log's length.
func (s *Store) Mark(ctx context.Context, org, parentContract uuid.UUID, through date.Date) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(org, true)
	marks := t.usage.marks[parentContract]
	if n := len(marks); n > 0 {
		switch last := marks[n-1].Through; {
		case through < last:
			return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "through",
				fmt.Sprintf("usage is billed through %s already; a mark never goes back (got %s)", last, through))
		case through == last:
			return nil
		}
	}
	t.usage.marks[parentContract] = append(marks, usage.Mark{Through: through, Position: int64(t.usage.log.Len())})
	return nil
}

// Marks implements [store.UsageMarker].
func (s *Store) Marks(ctx context.Context, org, parentContract uuid.UUID) ([]usage.Mark, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	if t == nil {
		return nil, nil
	}
	return slices.Clone(t.usage.marks[parentContract]), nil
}

// UsageTargets implements [store.Documents].
func (s *Store) UsageTargets(ctx context.Context, org uuid.UUID, productContracts []uuid.UUID) (map[uuid.UUID]usage.Target, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock() // targetsOf keeps what it works out
	defer s.mu.Unlock()
	out := make(map[uuid.UUID]usage.Target, len(productContracts))
	t := s.tenant(org, false)
	if t == nil {
		return out, nil
	}
	all := t.targetsOf()
	for _, id := range productContracts {
		if tg, ok := all[id]; ok {
			out[id] = tg
		}
	}
	return out, nil
}
