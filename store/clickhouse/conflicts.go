package clickhouse

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/usage"
)

// Conflict is an event id stored with different payloads by batches that
// were both accepted: what a writer that died in the middle of a race
// leaves (see the package documentation). Reads count the first copy of
// each product contract and day among Copies.
type Conflict struct {
	ID     string
	Copies []usage.Stored // every copy that reads see, in position order
}

// Conflicts lists the event ids of org that reads see with more than one
// payload, by id. None is the rule: one is the trace of a writer that
// died between storing a batch and checking it against a racing one.
func (s *Store) Conflicts(ctx context.Context, org uuid.UUID) ([]Conflict, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.conn.Query(ctx, `
		SELECT event_id, contract_id, product_id, event_date, event_ts, quantity, day, position, batch
		FROM pricekit_usage_ids
		WHERE org = ? AND `+committed+` AND event_id IN (
			SELECT event_id FROM pricekit_usage_ids
			WHERE org = ? AND `+committed+`
			GROUP BY event_id HAVING count() > 1)
		ORDER BY event_id, position`, org, org, org, org)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: conflicts: %w", err)
	}
	var all []Conflict
	var contracts []uuid.UUID
	err = scanCopies(rows, func(c copyOf) {
		if n := len(all); n == 0 || all[n-1].ID != c.Event.ID {
			all = append(all, Conflict{ID: c.Event.ID})
		}
		all[len(all)-1].Copies = append(all[len(all)-1].Copies, c.Stored)
		contracts = append(contracts, c.Event.ContractID)
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse: conflicts: %w", err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	targets, err := s.UsageTargets(ctx, org, contracts)
	if err != nil {
		return nil, err
	}
	var out []Conflict
	for _, c := range all {
		first := c.Copies[0].Event
		for _, o := range c.Copies[1:] {
			if !targets[first.ContractID].Same(first, o.Event) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}
