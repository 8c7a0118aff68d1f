package rating_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// TestPropertyIssuingThroughAStore issues random contracts month by month
// through package billing and a memory store, with late usage arriving
// between issues: at every step the rating from the checkpoint (what
// billing says changed) equals the rating that re-rates every issued
// period, and at the end what was issued plus the adjustments equals a
// fresh rating of the issued periods, credit lines aside. Sub contracts'
// credits are left out, as in TestPropertyAdjustmentsReconcile.
func TestPropertyIssuingThroughAStore(t *testing.T) {
	ctx := context.Background()
	org := uuid.MustParse("00000000-0000-4000-8000-0000000000aa")
	for i := range testrun.Cases(30, 150) {
		g := newGen(uint64(51000 + i))
		g.aligned, g.shallow = i%3 == 0, i%3 == 1
		in, to := g.tree()
		for k := range in.Objects.SubContracts {
			in.Objects.SubContracts[k].Credits = nil
		}
		in.To = to
		all, err := rating.Rate(in)
		require.NoError(t, err)
		if len(all) < 3 {
			continue
		}
		st := memory.New()
		_, err = st.Save(ctx, org, store.Batch{Objects: in.Objects})
		require.NoError(t, err, "tree %d", i)
		evs := append([]usage.Event(nil), in.Usage...)
		for k := range evs {
			evs[k].ID = fmt.Sprintf("e%d", k)
		}
		if len(evs) > 0 {
			_, err = st.Ingest(ctx, org, evs)
			require.NoError(t, err)
		}
		in.Usage = evs
		n := 1 + g.pick(len(all)-1)
		seq := len(evs)
		for k := range n {
			_, err := billing.Issue(ctx, st, org, in.Contract, all[k].PeriodStart, nil)
			require.NoError(t, err, "tree %d issue %d", i, k)
			var late []usage.Event
			for range g.pick(3) {
				if len(g.pcs) == 0 {
					break
				}
				pc := g.pcs[g.pick(len(g.pcs))]
				hi := all[k].PeriodEnd
				if pc.End != 0 && pc.End < hi {
					hi = pc.End
				}
				if hi < pc.Start {
					continue
				}
				late = append(late, usage.Event{ID: fmt.Sprintf("e%d", seq), ContractID: pc.ID,
					Date: pc.Start + date.Date(g.pick(int(hi-pc.Start)+1)), Quantity: g.money(100, 1)})
				seq++
			}
			if len(late) > 0 {
				_, err = st.Ingest(ctx, org, late)
				require.NoError(t, err)
				in.Usage = append(in.Usage, late...)
			}
			bin, err := billing.Input(ctx, st, org, in.Contract)
			require.NoError(t, err)
			bin.To = to
			checkpoint, err := rating.Rate(bin)
			require.NoError(t, err)
			bin.Changes = nil
			full, err := rating.Rate(bin)
			require.NoError(t, err)
			require.Len(t, checkpoint, len(full))
			for j := range full {
				a, _ := json.Marshal(checkpoint[j])
				b, _ := json.Marshal(full[j])
				require.Equal(t, string(b), string(a), "tree %d after issue %d: statement %d differs from the checkpoint", i, k+1, j)
			}
		}
		got, err := billing.Rate(ctx, st, org, in.Contract, 0, to)
		require.NoError(t, err)
		fresh, err := rating.Rate(rating.Input{Objects: in.Objects, Contract: in.Contract, Usage: in.Usage, To: to})
		require.NoError(t, err)
		if len(got) <= n {
			continue
		}
		billed, should := decimal.Zero, decimal.Zero
		for k := range n {
			billed = billed.Add(charges(got[k])).Add(got[k].Adjustments)
			should = should.Add(charges(fresh[k]))
		}
		billed = billed.Add(got[n].Adjustments)
		require.Truef(t, billed.Equal(should), "tree %d: %d issued: billed and adjusted %s, rated afresh %s", i, n, billed, should)
	}
}
