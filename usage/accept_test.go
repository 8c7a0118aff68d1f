package usage_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/usage"
)

// An event without product_id is for its contract's product (docs/documents.md, usage events), so a
// replay that names that product is the same payload, in a batch and
// against a stored event.
func TestAcceptOmittedProductEqualsOwnProduct(t *testing.T) {
	contractID, product := uuid.New(), uuid.New()
	target := usage.Target{ProductID: product, Start: date.New(2024, time.January, 1), Location: time.UTC}
	lookup := func(id uuid.UUID) (usage.Target, bool) { return target, id == contractID }
	day := date.New(2024, time.January, 10)
	bare := usage.Event{ID: "u1", ContractID: contractID, Date: day, Quantity: decimal.NewFromInt(3)}
	named := bare
	named.ProductID = product

	t.Run("in one batch", func(t *testing.T) {
		got, err := usage.Accept([]usage.Event{bare, named}, lookup, func(string) (usage.Event, bool) { return usage.Event{}, false })
		require.NoError(t, err)
		assert.Len(t, got.Events, 1, "the replay is counted once")
		assert.Equal(t, 1, got.Replayed)
	})
	t.Run("against a stored event", func(t *testing.T) {
		got, err := usage.Accept([]usage.Event{named}, lookup, func(id string) (usage.Event, bool) { return bare, id == "u1" })
		require.NoError(t, err)
		assert.Empty(t, got.Events, "the replay adds nothing")
	})
	t.Run("a different quantity is still a duplicate", func(t *testing.T) {
		other := named
		other.Quantity = decimal.NewFromInt(4)
		_, err := usage.Accept([]usage.Event{bare, other}, lookup, func(string) (usage.Event, bool) { return usage.Event{}, false })
		require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
	})
}

// batchLookup is a usage.Lookup that records what it was asked.
type batchLookup struct {
	target       usage.Target
	contract     uuid.UUID
	stored       map[string]usage.Event
	targetCalls  int
	storedCalls  int
	askedTargets []int
	askedStored  []int
}

func (l *batchLookup) Targets(events []usage.Event, ask []bool, targets []usage.Target, known []bool) {
	l.targetCalls++
	for i := range events {
		if ask[i] {
			l.askedTargets = append(l.askedTargets, i)
			targets[i], known[i] = l.target, events[i].ContractID == l.contract
		}
	}
}

func (l *batchLookup) Stored(events []usage.Event, ask []bool, found func(int, usage.Event)) {
	l.storedCalls++
	for i := range events {
		if ask[i] {
			l.askedStored = append(l.askedStored, i)
			if prev, ok := l.stored[events[i].ID]; ok {
				found(i, prev)
			}
		}
	}
}

// TestAcceptBatchAsksOncePerBatch: the batched rule asks its Lookup about
// the whole batch in one call of each kind, only about the events still
// in question, and decides as Accept does.
func TestAcceptBatchAsksOncePerBatch(t *testing.T) {
	contractID := uuid.New()
	day := date.New(2024, time.January, 10)
	ev := func(id string, q int64) usage.Event {
		return usage.Event{ID: id, ContractID: contractID, Date: day, Quantity: decimal.NewFromInt(q)}
	}
	lk := &batchLookup{
		target:   usage.Target{ProductID: uuid.New(), Start: date.New(2024, time.January, 1), Location: time.UTC},
		contract: contractID,
		stored:   map[string]usage.Event{"old": ev("old", 1)},
	}
	batch := []usage.Event{ev("a", 1), ev("old", 1), ev("", 2), ev("a", 1), ev("b", 3)}
	got, err := usage.AcceptBatch(batch, lk)
	require.NoError(t, err)
	assert.Equal(t, 1, lk.targetCalls)
	assert.Equal(t, 1, lk.storedCalls)
	assert.Equal(t, []int{0, 1, 2, 3, 4}, lk.askedTargets)
	assert.Equal(t, []int{0, 1, 3, 4}, lk.askedStored, "the event without an id is never looked up")
	assert.Equal(t, 2, got.Replayed, "old is stored, a is repeated")
	assert.Equal(t, []int{0, 2, 4}, got.Index)
	require.Len(t, got.Events, 3)
	assert.Equal(t, "b", got.Events[2].ID)

	// Bad events are not asked about further, and each is named once.
	lk = &batchLookup{target: lk.target, contract: contractID, stored: lk.stored}
	bad := []usage.Event{ev("x", -1), {ID: "y", ContractID: uuid.New(), Date: day, Quantity: decimal.NewFromInt(1)},
		ev("old", 5), ev("z", 1), ev("z", 2)}
	_, err = usage.AcceptBatch(bad, lk)
	require.Error(t, err)
	assert.Equal(t, []int{1, 2, 3, 4}, lk.askedTargets, "the invalid event is not looked up")
	assert.Equal(t, []int{2, 3, 4}, lk.askedStored, "nor the unknown contract's")
	assert.Equal(t, []string{"usage[0].quantity", "usage[1].contract_id", "usage[2].id", "usage[4].id"}, fields(err))
}
