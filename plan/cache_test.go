package plan_test

import (
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/plan"
)

// TestPricerFollowsThePlan: a plan compiled again gets its Pricer back
// only while nothing in it changed; a changed plan with the same id, a
// price spelled otherwise or an invalid one is compiled (or refused) anew.
func TestPricerFollowsThePlan(t *testing.T) {
	id := uuid.New()
	p := plan.TierPlan{ID: id, Pricing: plan.Graduated, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: dec("0.10")}}}
	first, err := p.Pricer()
	require.NoError(t, err)
	again, err := p.Clone().Pricer()
	require.NoError(t, err)
	assert.Same(t, first, again, "an identical copy reuses the Pricer")

	changed := p.Clone()
	changed.Tiers[0].UnitPrice = dec("0.20")
	pr, err := changed.Pricer()
	require.NoError(t, err)
	assert.Equal(t, "20", pr.Amount(dec("100")).String(), "the new price, not the cached one")
	assert.Equal(t, "10", first.Amount(dec("100")).String(), "the old Pricer is unchanged")

	respelled := p.Clone()
	respelled.Tiers[0].UnitPrice = dec("0.1")
	pr, err = respelled.Pricer()
	require.NoError(t, err)
	assert.NotSame(t, first, pr)
	assert.Equal(t, []string{"0.1"}, []string{pr.Plan().Tiers[0].UnitPrice.String()})

	broken := p.Clone()
	broken.Tiers[0].UnitPrice = dec("-1")
	_, err = broken.Pricer()
	require.Error(t, err, "a plan is validated unless an identical one was compiled")

	renamed := p.Clone()
	renamed.DisplayName = "bad\x00name"
	_, err = renamed.Pricer()
	require.Error(t, err)
}

// TestPricerConcurrent compiles variants of one plan from many goroutines
// (run with -race): each gets a Pricer of its own plan.
func TestPricerConcurrent(t *testing.T) {
	id := uuid.New()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				price := decimal.New(int64(1+(g+i)%3), 0)
				p := plan.TierPlan{ID: id, Pricing: plan.Volume, Tiers: []plan.Tier{{Start: decimal.Zero, UnitPrice: price}}}
				pr, err := p.Pricer()
				if err != nil || !pr.Amount(dec("2")).Equal(price.Mul(dec("2"))) {
					t.Errorf("price %s: %v %v", price, pr.Amount(dec("2")), err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
