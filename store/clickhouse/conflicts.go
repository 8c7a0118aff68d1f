package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/usage"
)

// Conflict is an event id that reads count more than once: stored with
// different payloads by batches that were both accepted, or twice with
// one payload without the record that makes reads count it once. It is
// what a commit that reached the server after its batch was taken for
// dead leaves (see the package documentation).
type Conflict struct {
	ID     string
	Copies []usage.Stored // every copy that reads see, in position order
}

// Conflicts lists the event ids of org that reads count more than once,
// by id. None is the rule.
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
	recorded, err := s.twinKeys(ctx, org)
	if err != nil {
		return nil, err
	}
	var out []Conflict
	for _, c := range all {
		first := c.Copies[0].Event
		counted := false
		seen := map[twinKey]bool{}
		for _, o := range c.Copies {
			k := twinKey{o.Event.ContractID, o.Day, o.Event.ID}
			if !targets[first.ContractID].Same(first, o.Event) || (seen[k] && !recorded[k]) {
				counted = true
			}
			seen[k] = true
		}
		if counted {
			out = append(out, c)
		}
	}
	return out, nil
}

// twinKey names the copies of one event: its contract, day and id.
type twinKey struct {
	contract uuid.UUID
	day      date.Date
	id       string
}

// twinKeys returns the events of org recorded as stored more than once.
func (s *Store) twinKeys(ctx context.Context, org uuid.UUID) (map[twinKey]bool, error) {
	rows, err := s.conn.Query(ctx, `SELECT contract_id, day, event_id FROM pricekit_usage_twins WHERE org = ?`, org)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: conflicts: %w", err)
	}
	defer rows.Close()
	out := map[twinKey]bool{}
	for rows.Next() {
		var (
			k   twinKey
			day time.Time
		)
		if err := rows.Scan(&k.contract, &day, &k.id); err != nil {
			return nil, fmt.Errorf("clickhouse: conflicts: %w", err)
		}
		k.day = date.NewAt(day)
		out[k] = true
	}
	return out, rows.Err()
}
