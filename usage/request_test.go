package usage_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/pricekit/pricekit/usage"
)

func TestAnswers(t *testing.T) {
	reqs := []usage.Request{
		{Bounds: []date.Date{1, 2, 3}},
		{Bounds: nil},
		{Bounds: []date.Date{1, 2}},
	}
	out := usage.Answers(reqs)
	assert.Len(t, out, 3)
	assert.Equal(t, []usage.Aggregates{{}, {}}, out[0])
	assert.Empty(t, out[1])
	assert.Equal(t, []usage.Aggregates{{}}, out[2])
	// Each answer is its own: appending to one never writes another.
	_ = append(out[0], usage.Aggregates{Count: 9})
	assert.Equal(t, usage.Aggregates{}, out[2][0])
}

func TestLookupIDs(t *testing.T) {
	pc := uuid.New()
	ok := func(id string) usage.Event {
		return usage.Event{ID: id, ContractID: pc, Date: 1000, Quantity: decimal.NewFromInt(1)}
	}
	bad := ok("bad")
	bad.Quantity = decimal.NewFromInt(-1)
	events := []usage.Event{ok("a"), ok(""), bad, ok("b"), ok("a"), ok("c")}
	ids, first := usage.LookupIDs(events)
	assert.Equal(t, []string{"a", "b", "c"}, ids)
	assert.Equal(t, map[string]int{"a": 0, "b": 3, "c": 5}, first)

	other := uuid.New()
	events = append(events, usage.Event{ContractID: other}, usage.Event{})
	assert.Equal(t, []uuid.UUID{pc, other}, usage.ContractIDs(events))
}
