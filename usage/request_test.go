package usage_test

import (
	"testing"

	"github.com/rickb777/date/v2"
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
