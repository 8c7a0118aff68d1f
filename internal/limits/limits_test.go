package limits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/limits"
)

func TestText(t *testing.T) {
	for _, ok := range []string{"", "Acme", "Zoë 株式会社 🚀"} {
		assert.NoError(t, limits.Text("op", "name", ok), ok)
	}
	for _, bad := range []string{"a\x00b", "\xff", "\xc3", "ok\xed\xa0\x80"} {
		err := limits.Text("op", "name", bad)
		require.ErrorIs(t, err, pricekit.ErrInvalidInput, "%q", bad)
		assert.Equal(t, "name", pricekit.First(err).Field)
	}
}
