package pricekit_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
)

func TestError(t *testing.T) {
	tests := []struct {
		name string
		err  *pricekit.Error
		want string
	}{
		{"op, field and message", pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", "tiers[1].start", "gap after 100"), "plan: tiers[1].start: gap after 100"},
		{"no field", pricekit.Errorf(pricekit.ErrMissingInput, "plan", "", "empty document"), "plan: empty document"},
		{"no op", pricekit.Errorf(pricekit.ErrNotFound, "", "id", "no such contract"), "id: no such contract"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			require.ErrorIs(t, tt.err, tt.err.Code)
			for _, other := range []pricekit.Code{pricekit.ErrConflict, pricekit.ErrCycle} {
				assert.NotErrorIs(t, tt.err, other)
			}
		})
	}
}

func TestErrorsIsThroughWrapping(t *testing.T) {
	e := pricekit.Errorf(pricekit.ErrDuplicateUsage, "usage", "usage[3].id", "seen before with another payload")
	joined := errors.Join(pricekit.Errorf(pricekit.ErrInvalidInput, "usage", "usage[0].quantity", "negative"), e)
	wrapped := fmt.Errorf("ingest: %w", joined)
	require.ErrorIs(t, wrapped, pricekit.ErrDuplicateUsage)
	require.ErrorIs(t, wrapped, pricekit.ErrInvalidInput)
	assert.NotErrorIs(t, wrapped, pricekit.ErrNotFound)
	var got *pricekit.Error
	require.ErrorAs(t, wrapped, &got)
	assert.Equal(t, "usage[0].quantity", got.Field)
	require.ErrorIs(t, pricekit.ErrCycle, pricekit.ErrCycle, "a bare Code is its own sentinel")
	assert.Equal(t, "cycle", pricekit.ErrCycle.Error())
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		name, prefix, field, want string
	}{
		{"field", "tiers[0]", "tiers[1].start", "tiers[0].tiers[1].start"},
		{"index", "tiers", "[1].start", "tiers[1].start"},
		{"whole document", "minimums[2]", "", "minimums[2]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", tt.field, "m")
			err := pricekit.Prefix(tt.prefix, orig)
			assert.Equal(t, tt.want, pricekit.First(err).Field)
			assert.Equal(t, tt.field, orig.Field, "the original is not changed")
			require.ErrorIs(t, err, pricekit.ErrInvalidTiers)
		})
	}
	t.Run("keeps every joined error", func(t *testing.T) {
		err := pricekit.Prefix("credits[1]", errors.Join(
			pricekit.Errorf(pricekit.ErrInvalidInput, "modifier", "amount", "negative"),
			pricekit.Errorf(pricekit.ErrInvalidInput, "modifier", "expiry", "malformed"),
		))
		assert.Equal(t, "modifier: credits[1].amount: negative\nmodifier: credits[1].expiry: malformed", err.Error())
	})
	t.Run("nil and empty prefix", func(t *testing.T) {
		assert.NoError(t, pricekit.Prefix("x", nil))
		e := pricekit.Errorf(pricekit.ErrInvalidInput, "", "f", "m")
		assert.Same(t, e, pricekit.Prefix("", e))
	})
}

func TestFirst(t *testing.T) {
	a := pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "a", "m")
	b := pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", "b", "m")
	tests := []struct {
		name string
		err  error
		want *pricekit.Error
	}{
		{"nil", nil, nil},
		{"itself", a, a},
		{"first of a join", errors.Join(a, b), a},
		{"depth first", errors.Join(errors.Join(errors.New("plain"), b), a), b},
		{"through wrapping", fmt.Errorf("x: %w", errors.Join(b, a)), b},
		{"plain error", errors.New("plain"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Same(t, tt.want, pricekit.First(tt.err))
		})
	}
	t.Run("bare code", func(t *testing.T) {
		got := pricekit.First(pricekit.ErrNotFound)
		require.NotNil(t, got)
		assert.Equal(t, pricekit.ErrNotFound, got.Code)
	})
}

func TestAll(t *testing.T) {
	a := pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "a", "m")
	b := pricekit.Errorf(pricekit.ErrInvalidTiers, "plan", "b", "m")
	c := pricekit.Errorf(pricekit.ErrCycle, "rating", "c", "m")
	assert.Empty(t, pricekit.All(nil))
	assert.Empty(t, pricekit.All(errors.New("plain")))
	got := pricekit.All(fmt.Errorf("x: %w", errors.Join(a, errors.New("plain"), errors.Join(b, c))))
	require.Len(t, got, 3)
	assert.Same(t, a, got[0])
	assert.Same(t, b, got[1])
	assert.Same(t, c, got[2], "depth first, in order")
	bare := pricekit.All(errors.Join(pricekit.ErrNotFound, a))
	require.Len(t, bare, 2)
	assert.Equal(t, pricekit.ErrNotFound, bare[0].Code)
}
