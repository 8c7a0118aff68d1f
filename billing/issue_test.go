package billing_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

var (
	jan1 = date.New(2024, 1, 1)
	feb1 = date.New(2024, 2, 1)
	mar1 = date.New(2024, 3, 1)
)

// issued is a store with the test tree, its usage, and January issued.
func issued(t *testing.T) (*memory.Store, rating.Statement) {
	t.Helper()
	ctx := context.Background()
	st := saved(t)
	_, err := st.Ingest(ctx, org, events())
	require.NoError(t, err)
	jan, err := billing.Rate(ctx, st, org, parentID, jan1, jan1)
	require.NoError(t, err)
	got, err := billing.Issue(ctx, st, org, parentID, jan1, &jan[0])
	require.NoError(t, err)
	return st, got
}

func TestIssueFreezesTheStatement(t *testing.T) {
	ctx := context.Background()
	st, jan := issued(t)
	assert.True(t, jan.Issued)
	assert.Equal(t, 1, jan.Number)
	assert.Equal(t, "120", jan.Total.String(), "100.00 fee, 100 × 0.10 + 50 × 0.20")

	kept, err := st.Issued(ctx, org, parentID)
	require.NoError(t, err)
	require.Len(t, kept, 1)
	assert.Equal(t, marshal(t, jan), string(kept[0].Statement), "kept as it was issued, byte for byte")

	// A correction after the issue does not touch January: February
	// carries the difference.
	objs := tree()
	objs.FixedFees[0].Amount = decimal.NewFromInt(130)
	_, err = st.Save(ctx, org, store.Batch{Objects: objs})
	require.NoError(t, err)
	got, err := billing.Rate(ctx, st, org, parentID, jan1, feb1)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, string(kept[0].Statement), marshal(t, got[0]))
	require.Len(t, adjustmentsOf(got[1]), 1)
	assert.Equal(t, "30", adjustmentsOf(got[1])[0].Amount.String())
	assert.Equal(t, "130.8", got[1].Subtotal.String(), "February's 130.00 + 0.80")
	assert.Equal(t, "160.8", got[1].Total.String(), "and January's 30.00")
}

func TestIssueTwiceReturnsTheKeptStatement(t *testing.T) {
	ctx := context.Background()
	st, jan := issued(t)
	_, err := st.Ingest(ctx, org, []usage.Event{{ID: "late", ContractID: pcID, Date: date.New(2024, 1, 9),
		Quantity: decimal.NewFromInt(1)}})
	require.NoError(t, err)
	again, err := billing.Issue(ctx, st, org, parentID, jan1, nil)
	require.NoError(t, err)
	assert.Equal(t, marshal(t, jan), marshal(t, again))
	kept, err := st.Issued(ctx, org, parentID)
	require.NoError(t, err)
	assert.Len(t, kept, 1)
}

func TestIssueInPeriodOrder(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	for name, day := range map[string]date.Date{
		"a later period":   mar1,
		"not a period":     date.New(2024, 2, 2),
		"inside an issued": date.New(2024, 1, 15),
		"after the end":    date.New(2025, 1, 1),
		"before the start": date.New(2023, 12, 1),
		"no day":           0,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := billing.Issue(ctx, st, org, parentID, day, nil)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			kept, err := st.Issued(ctx, org, parentID)
			require.NoError(t, err)
			assert.Len(t, kept, 1, "nothing issued")
		})
	}
	_, err := billing.Issue(ctx, st, org, planID, feb1, nil)
	require.ErrorIs(t, err, pricekit.ErrNotFound)
	feb, err := billing.Issue(ctx, st, org, parentID, feb1, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, feb.Number)
}

func TestIssueRefusesAStaleView(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	feb, err := billing.Rate(ctx, st, org, parentID, feb1, feb1)
	require.NoError(t, err)
	_, err = st.Ingest(ctx, org, []usage.Event{{ID: "u4", ContractID: pcID, Date: date.New(2024, 2, 9),
		Quantity: decimal.NewFromInt(10)}})
	require.NoError(t, err)
	_, err = billing.Issue(ctx, st, org, parentID, feb1, &feb[0])
	require.ErrorIs(t, err, pricekit.ErrConflict)
	kept, err := st.Issued(ctx, org, parentID)
	require.NoError(t, err)
	assert.Len(t, kept, 1, "nothing issued")
}

func TestIssueMarksUsageBilled(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	through, err := billing.BilledThrough(ctx, st, org, parentID)
	require.NoError(t, err)
	assert.Equal(t, date.New(2024, 1, 31), through)
}

func TestLateUsageAfterIssueIsAdjusted(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	_, err := st.Ingest(ctx, org, []usage.Event{{ID: "late", ContractID: pcID, Date: date.New(2024, 1, 9),
		Quantity: decimal.NewFromInt(25)}})
	require.NoError(t, err)
	in, err := billing.Input(ctx, st, org, parentID)
	require.NoError(t, err)
	require.NotNil(t, in.Changes)
	assert.False(t, in.Changes.Documents, "no document was saved since the issue")
	got, err := billing.Rate(ctx, st, org, parentID, feb1, feb1)
	require.NoError(t, err)
	adj := adjustmentsOf(got[0])
	require.Len(t, adj, 1)
	assert.Equal(t, "5", adj[0].Amount.String(), "25 more units at 0.20")
	assert.Equal(t, "late usage: quantity 150 → 175; 20.00 → 25.00", adj[0].Calculation.String())
}

func TestNewPricesFromNextMonth(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	objs := tree()
	objs.Plans[0].EffectiveFrom = feb1
	objs.Plans[0].Tiers = []plan.Tier{{Start: decimal.Zero, UnitPrice: decimal.RequireFromString("0.50")}}
	_, err := st.Save(ctx, org, store.Batch{Objects: objs})
	require.NoError(t, err)
	in, err := billing.Input(ctx, st, org, parentID)
	require.NoError(t, err)
	assert.True(t, in.Changes.Documents)
	got, err := billing.Rate(ctx, st, org, parentID, jan1, feb1)
	require.NoError(t, err)
	assert.Empty(t, adjustmentsOf(got[1]), "January keeps its price")
	assert.Equal(t, "104", got[1].Total.String(), "100.00 and 8 × 0.50")
	assert.Equal(t, feb1, got[1].Lines[0].EffectiveFrom)
}

func adjustmentsOf(s rating.Statement) []rating.Line {
	var out []rating.Line
	for _, l := range s.Lines {
		if l.Kind == rating.KindAdjustment {
			out = append(out, l)
		}
	}
	return out
}

func TestLateUsageAfterIssueIsReportedLate(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	_, err := st.Ingest(ctx, org, []usage.Event{{ID: "late", ContractID: pcID, Date: date.New(2024, 1, 9),
		Quantity: decimal.NewFromInt(25)}})
	require.NoError(t, err)
	r, err := billing.Report(ctx, st, org, billing.UsageQuery{ContractID: parentID, From: jan1,
		To: date.New(2024, 1, 31), By: billing.ByMonth})
	require.NoError(t, err)
	require.Len(t, r.Late, 1)
	assert.Equal(t, "late", r.Late[0].Event.ID)
}

func TestIssueConcurrently(t *testing.T) {
	ctx := context.Background()
	st := saved(t)
	_, err := st.Ingest(ctx, org, events())
	require.NoError(t, err)
	got := make([]rating.Statement, 10)
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i], errs[i] = billing.Issue(ctx, st, org, parentID, jan1, nil) })
	}
	wg.Wait()
	for i := range got {
		require.NoError(t, errs[i])
		assert.Equal(t, marshal(t, got[0]), marshal(t, got[i]), "every issuer gets the one statement")
	}
	kept, err := st.IssuedIndex(ctx, org, parentID)
	require.NoError(t, err)
	assert.Len(t, kept, 1)
}

func TestInputRefusesBadIDs(t *testing.T) {
	ctx := context.Background()
	st, _ := issued(t)
	_, err := billing.Input(ctx, st, org, pcID)
	require.ErrorIs(t, err, pricekit.ErrNotFound, "a product contract is not rated")
	_, err = billing.Issued(ctx, st, org, planID)
	require.ErrorIs(t, err, pricekit.ErrNotFound)
	_, err = billing.Issued(ctx, st, uuid.New(), parentID)
	require.ErrorIs(t, err, pricekit.ErrNotFound, "another organization's contract")
}

// racing is a memory store where another host ingests an event between
// Issue's rating and its store.Issue call.
type racing struct {
	*memory.Store
	ev *usage.Event
}

func (r *racing) Issue(ctx context.Context, o, id uuid.UUID, is store.Issued) (store.Issued, error) {
	if r.ev != nil {
		if _, err := r.Store.Ingest(ctx, o, []usage.Event{*r.ev}); err != nil {
			return store.Issued{}, err
		}
		r.ev = nil
	}
	return r.Store.Issue(ctx, o, id, is)
}

func TestUsageArrivingWhileIssuingIsLate(t *testing.T) {
	ctx := context.Background()
	st := &racing{Store: saved(t)}
	_, err := st.Ingest(ctx, org, events())
	require.NoError(t, err)
	st.ev = &usage.Event{ID: "racing", ContractID: pcID, Date: date.New(2024, 1, 20), Quantity: decimal.NewFromInt(30)}
	jan, err := billing.Issue(ctx, st, org, parentID, jan1, nil)
	require.NoError(t, err)
	assert.Equal(t, "120", jan.Total.String(), "rated before the event came")
	got, err := billing.Rate(ctx, st, org, parentID, feb1, feb1)
	require.NoError(t, err)
	adj := adjustmentsOf(got[0])
	require.Len(t, adj, 1, "the event is late for January")
	assert.Equal(t, "6", adj[0].Amount.String(), "30 more units at 0.20")
	r, err := billing.Report(ctx, st, org, billing.UsageQuery{ContractID: parentID, From: jan1,
		To: date.New(2024, 1, 31), By: billing.ByMonth})
	require.NoError(t, err)
	require.Len(t, r.Late, 1)
	assert.Equal(t, "racing", r.Late[0].Event.ID)
}
