package rating_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/schedule"
)

// TestFarStatementStreams rates one daily statement far from a contract's
// start, with a credit, so every statement before it is replayed to carry
// the balance: the heap must not grow with the number replayed (once it
// held every period since the start, 1.6 GB for 9999-12-31).
func TestFarStatementStreams(t *testing.T) {
	last := "2999-12-31" // 356 000 daily statements
	if testrun.Long() {
		last = "9999-12-31" // 2.9 million
	}
	b := &bundle{}
	daily := b.freq(schedule.BillingFrequency{Unit: schedule.Day})
	pc := b.product(b.perUnit("1"), "2024-01-01", "", uuid.Nil)
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{BillingFrequency: daily,
		Dates: dates("2024-01-01", ""), ProductContracts: ids(pc.ID), FixedFees: ids(b.fee("1", "")),
		Credits: ids(b.credit(modifier.Credit{Amount: dec("100000")}))}})

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	stmts := b.rate(t, id, last, last, on(pc, "2024-03-01", "5"))
	close(stop)
	<-sampled

	require.Len(t, stmts, 1)
	assertDec(t, "1", stmts[0].Total, "the 100 000.00 credit ran out long before")
	assertDec(t, "0", stmts[0].CreditBalances[0].Remaining)
	grown := int64(peak.Load()) - int64(base.HeapInuse)
	assert.Less(t, grown, int64(64<<20), "the heap grew by %d MB while replaying", grown>>20)
}
