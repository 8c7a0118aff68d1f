package postgres

import (
	"testing"

	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/storetest"
)

// TestConformance runs the suite every store passes against PostgreSQL.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := newStore(t)
		return s
	})
}
