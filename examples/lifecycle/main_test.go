package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/rating"
)

// The figures below are worked by hand. Starter API calls: 1,000 a month
// included, then 0.02 each (0.03 from April); Growth: 10,000 included,
// then 0.01. Fees 49.00 (Starter) and 199.00 (Growth) a month.
func TestLifecycle(t *testing.T) {
	var out bytes.Buffer
	y, err := tell(context.Background(), &out)
	require.NoError(t, err)
	require.Len(t, y.issued, 12)
	stmt := func(m time.Month) rating.Statement { return y.issued[m-1] }

	t.Run("twelve statements issued in period order", func(t *testing.T) {
		want := []string{
			"0.00",   // Jan: 10.00 + 49.00 = 59.00, the prepaid credit pays it all (100.00 → 41.00)
			"28.00",  // Feb: 20.00 + 49.00 = 69.00 − the credit's last 41.00
			"79.00",  // Mar: 1,500 × 0.02 = 30.00 + 49.00
			"94.00",  // Apr: 1,500 × 0.03 = 45.00 + 49.00
			"0.00",   // May: 30.00 + 49.00 + 15.00 adjustment = 94.00, paid by the top-up (100.00 → 6.00)
			"67.00",  // Jun: 800 × 0.03 = 24.00 + 49.00 = 73.00 − the top-up's last 6.00
			"79.00",  // Jul: 1,000 × 0.03 = 30.00 + 49.00 (Starter's whole month, as issued)
			"296.42", // Aug: 2,000 × 0.01 = 20.00 + 199.00 = 219.00, + 77.42 for July
			"209.00", // Sep: 10.00 + 199.00
			"249.00", // Oct: 50.00 + 199.00
			"209.00", // Nov: 11,000 calls once the straggler is in: 10.00 + 199.00
			"229.00", // Dec: 30.00 + 199.00
		}
		for i, s := range y.issued {
			m := time.Month(i + 1)
			assert.True(t, s.Issued, m)
			assert.Equal(t, i+1, s.Number, m)
			assert.Equal(t, date.New(2025, m, 1), s.PeriodStart, m)
			assertDec(t, want[i], s.Total, m.String())
		}
	})

	t.Run("March keeps the old price, April has the new one", func(t *testing.T) {
		mar := usageLine(t, stmt(time.March))
		assert.True(t, mar.Quantity.Equal(decimal.NewFromInt(2500)))
		assertDec(t, "30.00", mar.Amount, "1,500 × 0.02: the version of 1 April does not reach a period begun in March")
		assert.Zero(t, mar.EffectiveFrom, "priced by the base version")

		apr := usageLine(t, stmt(time.April))
		assert.True(t, apr.Quantity.Equal(decimal.NewFromInt(2500)))
		assertDec(t, "45.00", apr.Amount, "the same 2,500 calls: 1,500 × 0.03")
		assert.Equal(t, date.New(2025, time.April, 1), apr.EffectiveFrom)
	})

	t.Run("late April usage is adjusted on May", func(t *testing.T) {
		adj := adjustments(stmt(time.May))
		require.Len(t, adj, 1)
		a := adj[0]
		assert.Equal(t, rating.Adjusts{Number: 4, PeriodStart: date.New(2025, time.April, 1), Kind: rating.KindUsage}, *a.Adjusts)
		assert.Equal(t, y.starterAPI.ID, a.ContractID)
		assert.Equal(t, date.New(2025, time.April, 30), a.PeriodEnd)
		assert.True(t, a.Quantity.Equal(decimal.NewFromInt(3000)), "2,500 + 500 late")
		assertDec(t, "15.00", a.Amount, "2,000 × 0.03 = 60.00 should have been billed, 45.00 was")
		assert.Equal(t, "late usage: quantity 2500 → 3000; 45.00 → 60.00", a.Calculation.String())
		assertDec(t, "45.00", usageLine(t, stmt(time.April)).Amount, "April stays as issued")
	})

	t.Run("the top-up credit pays the adjustment", func(t *testing.T) {
		may := stmt(time.May)
		assertDec(t, "79.00", may.Subtotal, "30.00 + 49.00")
		assertDec(t, "15.00", may.Adjustments)
		assertDec(t, "-94.00", may.Credits, "more than May's own 79.00: the credit pays the 15.00 adjustment too")
		assertDec(t, "0.00", may.Total)
		var paid decimal.Decimal
		for _, l := range may.Lines {
			if l.Kind == rating.KindCredit {
				assert.Equal(t, y.topUp.ID, l.ModifierID, "the prepaid credit was used up in February")
				paid = paid.Add(l.Amount.Neg())
			}
		}
		assert.True(t, paid.GreaterThan(may.Subtotal))
		assertDec(t, "6.00", balance(t, may, y.topUp.ID), "100.00 − 94.00")
		assertDec(t, "0.00", balance(t, may, y.prepaid.ID))
	})

	t.Run("the backdated upgrade corrects July on August", func(t *testing.T) {
		jul := stmt(time.July)
		assertDec(t, "79.00", jul.Total, "July is frozen as issued")
		assertDec(t, "0.00", jul.Adjustments)

		aug := stmt(time.August)
		adj := adjustments(aug)
		require.Len(t, adj, 2, "two fee lines; July's usage, all before the 16th, is unchanged")
		jul1 := date.New(2025, time.July, 1)

		starter := adj[0]
		assert.Equal(t, rating.Adjusts{Number: 7, PeriodStart: jul1, Kind: rating.KindFixedFee}, *starter.Adjusts)
		assert.Equal(t, y.starterFee.ID, starter.FeeID)
		assert.Equal(t, y.starter.ID, starter.ContractID)
		assert.True(t, starter.Amount.IsNegative(), "the unused part of Starter's July fee comes back")
		assertDec(t, "-25.29", starter.Amount, "49 × 15/31 = 23.709… → 23.71; 23.71 − 49.00")
		assert.Equal(t, "fee prorated 31/31 → 15/31 days; 49.00 → 23.71", starter.Calculation.String())

		growth := adj[1]
		assert.Equal(t, rating.Adjusts{Number: 7, PeriodStart: jul1, Kind: rating.KindFixedFee}, *growth.Adjusts)
		assert.Equal(t, y.growthFee.ID, growth.FeeID)
		assert.Equal(t, y.growth.ID, growth.ContractID)
		assert.Equal(t, date.New(2025, time.July, 16), growth.PeriodStart)
		assertDec(t, "102.71", growth.Amount, "199 × 16/31 = 102.709… → 102.71, not billed before")

		assertDec(t, "219.00", aug.Subtotal, "20.00 + 199.00")
		assertDec(t, "77.42", aug.Adjustments, "102.71 − 25.29")
		assertDec(t, "296.42", aug.Total)
	})

	t.Run("issuing out of order is refused", func(t *testing.T) {
		require.ErrorIs(t, y.outOfOrder, pricekit.ErrInvalidInput)
		assert.Contains(t, y.outOfOrder.Error(), "the next one to issue starts on 2025-10-01, not 2025-11-01")
	})

	t.Run("issuing a stale statement is refused", func(t *testing.T) {
		require.ErrorIs(t, y.stale, pricekit.ErrConflict)
		nov := usageLine(t, stmt(time.November))
		assert.True(t, nov.Quantity.Equal(decimal.NewFromInt(11000)), "9,500 + the 1,500 that arrived before issuing")
	})

	t.Run("issuing again returns the statement issued", func(t *testing.T) {
		assert.Equal(t, 3, y.reissued.Number)
		again, err := json.Marshal(y.reissued)
		require.NoError(t, err)
		was, err := json.Marshal(stmt(time.March))
		require.NoError(t, err)
		assert.JSONEq(t, string(was), string(again))
	})
}

func TestRunIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, run(&a))
	require.NoError(t, run(&b))
	assert.Equal(t, a.String(), b.String())
	assert.Contains(t, a.String(), "issued as statement 12")
}

// usageLine returns the only usage line of s.
func usageLine(t *testing.T, s rating.Statement) rating.Line {
	t.Helper()
	var got []rating.Line
	for _, l := range s.Lines {
		if l.Kind == rating.KindUsage {
			got = append(got, l)
		}
	}
	require.Len(t, got, 1, "usage lines of %s", s.PeriodStart)
	return got[0]
}

// adjustments returns the adjustment lines of s, in order.
func adjustments(s rating.Statement) []rating.Line {
	var got []rating.Line
	for _, l := range s.Lines {
		if l.Kind == rating.KindAdjustment {
			got = append(got, l)
		}
	}
	return got
}

// balance returns what credit id has left after s.
func balance(t *testing.T, s rating.Statement, id uuid.UUID) decimal.Decimal {
	t.Helper()
	for _, b := range s.CreditBalances {
		if b.CreditID == id {
			return b.Remaining
		}
	}
	require.Failf(t, "no balance", "credit %s has no balance on %s", id, s.PeriodStart)
	return decimal.Decimal{}
}

// assertDec checks a decimal by value: 1.0 and 1.00 are equal.
func assertDec(t *testing.T, want string, got decimal.Decimal, why ...string) {
	t.Helper()
	assert.Truef(t, decimal.RequireFromString(want).Equal(got), "got %s, want %s %s", got.StringFixed(2), want, strings.Join(why, "; "))
}
