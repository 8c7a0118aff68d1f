package rating_test

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/usage"
)

// monthlyIncluded is a monthly parent with usage at 1.00 a unit and a
// credit of 100.00 granted every month, half of what is left rolling over.
func monthlyIncluded(b *bundle, c modifier.Credit) ([16]byte, contract.ProductContract) {
	pc := b.product(b.perUnit("1"), "2024-01-01", "", [16]byte{})
	credit := b.credit(c)
	id := b.parent(contract.ParentContract{SubContract: contract.SubContract{Dates: dates("2024-01-01", "2024-04-30"),
		ProductContracts: ids(pc.ID), Credits: ids(credit)}})
	return id, pc
}

func TestRecurringCreditRollsOver(t *testing.T) {
	var b bundle
	id, pc := monthlyIncluded(&b, modifier.Credit{Amount: dec("100"), Recurrence: every("1M"), Rollover: dec("0.5")})
	got := b.rate(t, id, "", "", on(pc, "2024-01-10", "60"), on(pc, "2024-02-10", "150"), on(pc, "2024-03-10", "90"))
	require.Len(t, got, 4)
	// January: 60.00 paid, 40.00 left, 20.00 rolls into February's grant.
	assertDec(t, "0", got[0].Total)
	require.Len(t, got[0].CreditBalances, 1)
	assert.Equal(t, rating.CreditBalance{CreditID: b.Credits[0].ID, Granted: day("2024-01-01"), Remaining: dec("40"),
		Expires: day("2024-01-31")}.Remaining.String(), got[0].CreditBalances[0].Remaining.String())
	assert.Equal(t, day("2024-01-31"), got[0].CreditBalances[0].Expires)
	// February: 120.00 pays 120.00 of 150.00; nothing left to roll.
	assertDec(t, "30", got[1].Total)
	assertDec(t, "-120", got[1].Credits)
	assert.Equal(t, "credit balance 120.00 pays 120.00, leaves 0.00", got[1].Lines[1].Calculation.String())
	// March: a fresh 100.00 pays 90.00; April gets 100.00 + 5.00.
	assertDec(t, "0", got[2].Total)
	assertDec(t, "105", got[3].CreditBalances[0].Remaining)
	assert.Equal(t, day("2024-04-01"), got[3].CreditBalances[0].Granted)
}

func TestRecurringCreditWithShortExpiry(t *testing.T) {
	// Each grant is valid for 10 days: January's pays the period that
	// starts on 1 January, and its remainder joins February's grant.
	var b bundle
	id, pc := monthlyIncluded(&b, modifier.Credit{Amount: dec("100"), Recurrence: every("1M"), Expiry: every("10D"),
		Rollover: dec("1")})
	got := b.rate(t, id, "", "", on(pc, "2024-01-10", "30"), on(pc, "2024-02-10", "200"))
	assertDec(t, "-30", got[0].Credits)
	assert.Empty(t, got[0].CreditBalances, "January's grant expired on the 10th; February's is not granted yet")
	assertDec(t, "-170", got[1].Credits, "February's 100.00 and January's 70.00")
}

func TestRecurringCreditFromIssuedStatements(t *testing.T) {
	var b bundle
	id, pc := monthlyIncluded(&b, modifier.Credit{Amount: dec("100"), Recurrence: every("1M"), Expiry: every("10D"),
		Rollover: dec("0.5")})
	events := []usage.Event{on(pc, "2024-01-10", "30"), on(pc, "2024-02-10", "20"), on(pc, "2024-03-10", "300")}
	all := b.rate(t, id, "", "", events...)
	for m := 1; m < len(all); m++ {
		in := rating.Input{Objects: b.Objects, Contract: id, Usage: events, Issued: issue(1, all[:m]...),
			Changes: &rating.Changes{Since: int64(len(events))}, From: all[m].PeriodStart, To: all[len(all)-1].PeriodEnd}
		got, err := rating.Rate(in)
		require.NoError(t, err)
		for k := range got {
			a, _ := json.Marshal(all[m+k])
			g, _ := json.Marshal(got[k])
			assert.Equal(t, string(a), string(g), "%d issued, statement %d", m, m+k)
		}
	}
}

func TestRecurringCreditJSON(t *testing.T) {
	var c modifier.Credit
	require.NoError(t, json.Unmarshal([]byte(`{"amount": 100, "recurrence": "1M", "rollover": "0.25"}`), &c))
	data, err := json.Marshal(c)
	require.NoError(t, err)
	var back modifier.Credit
	require.NoError(t, json.Unmarshal(data, &back))
	again, err := json.Marshal(back)
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again))
	assert.Contains(t, string(data), `"recurrence":"1M"`)
	for doc, field := range map[string]string{
		`{"amount": 1, "recurrence": "1M", "rollover": 1.5}`:  "rollover",
		`{"amount": 1, "recurrence": "1M", "rollover": -0.1}`: "rollover",
		`{"amount": 1, "rollover": 0.5}`:                      "rollover",
		`{"amount": 1, "recurrence": "monthly"}`:              "recurrence",
		`{"amount": 1, "recurrence": "0M"}`:                   "recurrence",
	} {
		err := json.Unmarshal([]byte(doc), &c)
		require.ErrorIs(t, err, pricekit.ErrInvalidInput, doc)
		assert.Equal(t, field, pricekit.First(err).Field, doc)
	}
}

// TestPropertyRecurringCreditsPayNoMore: a recurring credit never pays
// more than its grants so far (rollovers only move what a grant had left).
func TestPropertyRecurringCreditsPayNoMore(t *testing.T) {
	for i := range testrun.Cases(80, 1500) {
		g := newGen(uint64(15000 + i))
		g.aligned = true
		in, to := g.tree()
		in.To = to
		for k := range in.Objects.Credits {
			c := &in.Objects.Credits[k]
			c.Recurrence = every([]string{"1M", "2W", "3M"}[g.pick(3)])
			c.Rollover = decimal.New(int64(g.pick(101)), -2)
		}
		stmts, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		paid := map[[16]byte]decimal.Decimal{}
		for _, s := range stmts {
			for _, l := range s.Lines {
				if l.Kind == rating.KindCredit {
					paid[l.ModifierID] = paid[l.ModifierID].Sub(l.Amount)
				}
			}
		}
		last := stmts[len(stmts)-1].PeriodEnd
		for _, c := range in.Objects.Credits {
			start := c.StartDate
			if start == 0 {
				start = in.Objects.ParentContracts[0].Start - 60 // before any node
			}
			grants := 0
			for k := 0; c.Recurrence.Nth(start, k) <= last; k++ {
				grants++
			}
			// Each node holding it grants it: bound by the nodes too.
			nodes := 0
			for _, s := range append(in.Objects.SubContracts, in.Objects.ParentContracts[0].SubContract) {
				for _, id := range s.Credits {
					if id == c.ID {
						nodes++
					}
				}
			}
			limit := c.Amount.Round(in.Objects.ParentContracts[0].Currency.MinorUnit()).Mul(decimal.NewFromInt(int64(grants * nodes)))
			assert.Truef(t, paid[c.ID].LessThanOrEqual(limit), "tree %d credit %x paid %s, at most %s", i, c.ID, paid[c.ID], limit)
		}
	}
}
