package usagelog

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/usage"
)

// TestIndexHoldsEachIDOnce ingests batches that grow the id index across
// several rehashes, some events without ids and some replays, and checks
// that every id has exactly one slot, the index stays at most half full,
// and every id is found.
func TestIndexHoldsEachIDOnce(t *testing.T) {
	pc := uuid.New()
	target := func(uuid.UUID) (usage.Target, bool) {
		return usage.Target{Start: date.New(2024, 1, 1), Location: time.UTC}, true
	}
	var l Log
	ids := 0
	for b, size := range []int{1, 700, 1000, 3000, 5000, 17} {
		var evs []usage.Event
		for k := range size {
			e := usage.Event{ContractID: pc, Date: date.New(2024, 1, 1+k%31), Quantity: decimal.NewFromInt(1)}
			if k%5 != 4 {
				e.ID = fmt.Sprintf("%d-%d", b, k)
				ids++
			}
			evs = append(evs, e)
		}
		if b > 0 {
			evs = append(evs, usage.Event{ID: "0-0", ContractID: pc, Date: date.New(2024, 1, 1), Quantity: decimal.NewFromInt(1)})
		}
		_, _, err := l.Ingest(evs, target)
		require.NoError(t, err)
		used := 0
		for _, s := range l.index {
			if s.entry != 0 {
				used++
			}
		}
		require.Equal(t, ids, used, "after batch %d", b)
		require.Equal(t, ids, l.nIDs)
		require.LessOrEqual(t, 2*used, len(l.index))
	}
	for i := range l.Len() {
		if id := string(l.id(i)); id != "" {
			j, ok := l.Find(id)
			require.True(t, ok, id)
			require.Equal(t, i, j, id)
		}
	}
}
