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
