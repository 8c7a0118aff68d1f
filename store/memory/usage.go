package memory

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// usageLog holds a tenant's usage in ingest order.
type usageLog struct {
	events  []usage.Event
	days    []date.Date // the day of events[i] in its parent's time zone
	byID    map[string]int
	targets map[uuid.UUID]usage.Target // product contract → what its usage must fit; nil: rebuild
}

func (l *usageLog) init()       { l.byID = map[string]int{} }
func (l *usageLog) invalidate() { l.targets = nil }

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
		seen := map[uuid.UUID]bool{}
		var walk func(s contract.SubContract)
		walk = func(s contract.SubContract) {
			for _, pc := range s.ProductContracts {
				if tg, ok := m[pc]; ok {
					tg.Location = loc
					m[pc] = tg
				}
			}
			for _, sub := range s.SubContracts {
				if d := t.docs[sub]; d != nil && !seen[sub] {
					seen[sub] = true
					walk(d.value.(contract.SubContract))
				}
			}
		}
		walk(parent.SubContract)
	}
	t.usage.targets = m
	return m
}

// Ingest implements [store.UsageWriter].
func (s *Store) Ingest(ctx context.Context, org uuid.UUID, events []usage.Event) (store.Ingested, error) {
	if err := ctx.Err(); err != nil {
		return store.Ingested{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(org, true)
	targets := t.targetsOf()
	accepted, err := usage.Accept(events,
		func(id uuid.UUID) (usage.Target, bool) { tg, ok := targets[id]; return tg, ok },
		func(id string) (usage.Event, bool) {
			if i, ok := t.usage.byID[id]; ok {
				return t.usage.events[i], true
			}
			return usage.Event{}, false
		})
	if err != nil {
		return store.Ingested{}, err
	}
	for _, e := range accepted {
		if e.ID != "" {
			t.usage.byID[e.ID] = len(t.usage.events)
		}
		t.usage.events = append(t.usage.events, e)
		t.usage.days = append(t.usage.days, e.Day(targets[e.ContractID].Location))
	}
	return store.Ingested{Added: len(accepted), Replayed: len(events) - len(accepted)}, nil
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
	var out []usage.Event
	for i, e := range t.usage.events {
		if want[e.ContractID] && t.usage.days[i] >= from && t.usage.days[i] <= to {
			out = append(out, e)
		}
	}
	return out, nil
}
