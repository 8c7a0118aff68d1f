package rating_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/testrun"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// gen builds random, valid contract trees and usage.
type gen struct {
	r *rand.Rand
	b *bundle
	// for the invariants
	owner  map[uuid.UUID]uuid.UUID // line contract_id → the node it belongs to
	parent map[uuid.UUID]uuid.UUID // node → the node holding it
	nodes  []uuid.UUID
	pcs    []contract.ProductContract
	credit map[uuid.UUID]decimal.Decimal
	// recurring marks the credits granted every recurrence.
	recurring map[uuid.UUID]bool
	dates     map[uuid.UUID]contract.Dates // every contract's own dates
	// aligned keeps every sub contract on its parent's periods (no own
	// frequency): then each node's lines land in its parent's periods.
	aligned bool
	// shallow gives own frequencies only to sub contracts with no own
	// frequency above them: no node's grid then splits the slices of a
	// descendant's periods (see checkNodesNotNegative).
	shallow bool
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), b: &bundle{},
		owner: map[uuid.UUID]uuid.UUID{}, parent: map[uuid.UUID]uuid.UUID{}, credit: map[uuid.UUID]decimal.Decimal{},
		recurring: map[uuid.UUID]bool{},
		dates:     map[uuid.UUID]contract.Dates{}}
}

// money returns a random amount below max with up to places decimals.
func (g *gen) money(max int64, places int32) decimal.Decimal {
	return decimal.New(g.r.Int64N(max*pow10(places)), -places)
}

func pow10(n int32) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) frequency() schedule.BillingFrequency {
	units := []schedule.Unit{schedule.Day, schedule.Week, schedule.Month, schedule.Quarter, schedule.Year}
	f := schedule.BillingFrequency{Type: schedule.Anniversary, Unit: units[g.pick(len(units))], Interval: 1 + g.pick(3),
		Anchor: schedule.AnchorStart, Eq: g.chance(0.2)}
	if f.Unit == schedule.Day {
		f.Interval = 1 + g.pick(10)
	}
	if g.chance(0.5) {
		f.Type = schedule.Calendar
		if f.Unit >= schedule.Month && g.chance(0.5) {
			f.Day = 1 + g.pick(31)
		}
	}
	if g.chance(0.5) {
		f.Anchor = schedule.AnchorEnd
	}
	return f
}

func (g *gen) maybeFrequency(p float64) uuid.UUID {
	if !g.chance(p) {
		return uuid.Nil
	}
	return g.b.freq(g.frequency())
}

func (g *gen) tierPlan() uuid.UUID {
	if g.chance(0.1) {
		p := plan.TierPlan{Pricing: plan.Percentage, Rate: g.money(5, 2), EventFee: g.money(1, 2),
			FreeEvents: int64(g.pick(3))}
		if g.chance(0.5) {
			p.EventMinimum = decimal.NewNullDecimal(g.money(2, 2))
		}
		if g.chance(0.5) {
			p.EventMaximum = decimal.NewNullDecimal(decimal.NewFromInt(2).Add(g.money(20, 2)))
		}
		return g.b.plan(p)
	}
	p := plan.TierPlan{Pricing: []plan.PricingType{plan.Graduated, plan.Volume, plan.Package}[g.pick(3)],
		Aggregation: []plan.Aggregation{plan.Sum, plan.Sum, plan.Max, plan.Count, plan.Latest}[g.pick(5)]}
	n := 1 + g.pick(4)
	start := decimal.Zero
	for i := range n {
		t := plan.Tier{Start: start, UnitPrice: g.money(5, 4)}
		if g.chance(0.3) {
			t.FlatFee = g.money(20, 2)
		}
		if i < n-1 {
			end := start.Add(decimal.NewFromInt(1 + g.r.Int64N(200)))
			t.End = decimal.NewNullDecimal(end)
			start = end
		}
		p.Tiers = append(p.Tiers, t)
	}
	if p.Pricing == plan.Package {
		p.PackageSize = decimal.NewFromInt(1 + g.r.Int64N(50))
	}
	if g.chance(0.15) && p.Pricing != plan.Volume {
		p.FreeQuantity = decimal.NewFromInt(g.r.Int64N(50))
	}
	if g.chance(0.15) {
		p.Minimum = decimal.NewNullDecimal(g.money(30, 2))
	}
	if g.chance(0.15) {
		p.Maximum = decimal.NewNullDecimal(decimal.NewFromInt(30).Add(g.money(300, 2)))
	}
	if g.chance(0.3) {
		p.Rounding = plan.QuantityRounding{Increment: []decimal.Decimal{dec("1"), dec("0.5"), dec("10")}[g.pick(3)],
			Mode: plan.RoundingMode(1 + g.pick(3))}
	}
	return g.b.plan(p)
}

func (g *gen) fee() uuid.UUID {
	period := []string{"", "", "once", "1M", "3M", "2W", "1Y", "10D"}[g.pick(8)]
	id := g.b.fee("0", period)
	g.b.FixedFees[len(g.b.FixedFees)-1].Amount = g.money(300, 3)
	return id
}

func (g *gen) discount() uuid.UUID {
	var id uuid.UUID
	if g.chance(0.5) {
		id = g.b.percentOff(g.money(100, 2).String(), "")
	} else {
		id = g.b.amountOff(g.money(400, 2).String())
	}
	if g.chance(0.3) {
		g.b.Discounts[len(g.b.Discounts)-1].Threshold = decimal.NewNullDecimal(g.money(300, 0))
	}
	return id
}

func (g *gen) creditFor(d contract.Dates) uuid.UUID {
	c := modifier.Credit{Amount: g.money(500, 3), Priority: []int{10, 50, 50, 90}[g.pick(4)]}
	if g.chance(0.6) {
		c.Expiry = every([]string{"1M", "2M", "6M", "1Y", "30D", "2W"}[g.pick(6)])
	}
	if g.chance(0.3) {
		c.StartDate = d.Start + date.Date(g.pick(120))
	}
	if g.chance(0.25) {
		c.Recurrence = every([]string{"1M", "2W", "3M"}[g.pick(3)])
		c.Rollover = decimal.New(int64(g.pick(101)), -2)
	}
	id := g.b.credit(c)
	g.credit[id] = c.Amount
	g.recurring[id] = !c.Recurrence.IsZero()
	return id
}

// span returns random dates from around start, ending before limit or
// evergreen.
func (g *gen) span(start date.Date, evergreen bool) contract.Dates {
	d := contract.Dates{Start: start + date.Date(g.pick(60)-20)}
	if !evergreen || g.chance(0.6) {
		d.End = d.Start + date.Date(10+g.pick(420))
	}
	return d
}

// node fills s with random contents at depth and returns its id. own says
// whether s or a sub contract above it has its own frequency.
func (g *gen) node(s *contract.SubContract, depth int, own bool) {
	for range g.pick(3) {
		pc := g.b.product(g.tierPlan(), "2024-01-01", "", g.maybeFrequency(0.2))
		last := &g.b.ProductContracts[len(g.b.ProductContracts)-1]
		last.Dates = g.span(s.Start, s.End == 0)
		pc.Dates = last.Dates
		s.ProductContracts = append(s.ProductContracts, pc.ID)
		g.owner[pc.ID] = s.ID
		g.dates[pc.ID] = pc.Dates
		g.pcs = append(g.pcs, pc)
	}
	for range g.pick(3) {
		s.FixedFees = append(s.FixedFees, g.fee())
	}
	for range g.pick(3) {
		s.Discounts = append(s.Discounts, g.discount())
	}
	for range g.pick(3) {
		s.Minimums = append(s.Minimums, g.b.minimum(g.money(300, 2).String()))
	}
	if g.chance(0.2) {
		s.Minimums = append(s.Minimums, g.b.commitment(g.money(2000, 2).String(), []string{"3M", "6M", "1Y"}[g.pick(3)]))
	}
	if g.chance(0.3) {
		s.Maximums = append(s.Maximums, g.b.maximum(g.money(600, 2).String()))
	}
	for range g.pick(3) {
		s.Credits = append(s.Credits, g.creditFor(s.Dates))
	}
	s.OverrideUnderlying = g.chance(0.15)
	if depth >= 3 {
		return
	}
	for range g.pick(3) {
		child := contract.SubContract{ID: g.b.id(), Dates: g.span(s.Start, s.End == 0)}
		if !g.aligned && !(g.shallow && own) {
			child.BillingFrequency = g.maybeFrequency(0.4)
		}
		g.owner[child.ID] = child.ID
		g.parent[child.ID] = s.ID
		g.dates[child.ID] = child.Dates
		g.nodes = append(g.nodes, child.ID)
		g.node(&child, depth+1, own || child.BillingFrequency != uuid.Nil)
		g.b.SubContracts = append(g.b.SubContracts, child)
		s.SubContracts = append(s.SubContracts, child.ID)
	}
}

// tree returns a random parent contract with usage, and the day to rate to.
func (g *gen) tree() (rating.Input, date.Date) {
	p := contract.ParentContract{Currency: []contract.Currency{"USD", "JPY", "KWD", "EUR"}[g.pick(4)]}
	if g.chance(0.2) {
		p.TimeZone = "Pacific/Kiritimati"
	}
	p.ID = g.b.id()
	p.BillingFrequency = g.maybeFrequency(0.6)
	p.Dates = contract.Dates{Start: day("2024-01-01") + date.Date(g.pick(366))}
	if g.chance(0.7) {
		p.End = p.Start + date.Date(20+g.pick(500))
	}
	g.owner[p.ID] = p.ID
	g.dates[p.ID] = p.Dates
	g.nodes = append(g.nodes, p.ID)
	g.node(&p.SubContract, 1, false)
	g.b.ParentContracts = append(g.b.ParentContracts, p)

	to := p.End
	if to == 0 {
		to = p.Start + date.Date(30+g.pick(400))
	}
	var events []usage.Event
	for _, pc := range g.pcs {
		last := to
		if pc.End != 0 && pc.End < last {
			last = pc.End
		}
		if last < pc.Start {
			continue
		}
		for range g.pick(12) {
			e := usage.Event{ContractID: pc.ID, Date: pc.Start + date.Date(g.pick(int(last-pc.Start)+1)),
				Quantity: g.money(300, int32(g.pick(4)))}
			if g.chance(0.3) {
				e.ID = fmt.Sprintf("e%d", len(events))
			}
			events = append(events, e)
		}
	}
	return rating.Input{Objects: g.b.Objects, Contract: p.ID, Usage: events}, to
}

// subtreeOf reports whether line contract c lies in the subtree of node n.
func (g *gen) inSubtree(c, n uuid.UUID) bool {
	for x, ok := g.owner[c], true; ok; x, ok = g.parent[x] {
		if x == n {
			return true
		}
	}
	return false
}

// TestPropertyStatements rates random trees of every shape: sub contracts
// with and without their own frequencies, dates inside and outside their
// parent's.
func TestPropertyStatements(t *testing.T) {
	for i := range testrun.Cases(200, 4000) {
		g := newGen(uint64(i))
		g.aligned, g.shallow = i%3 == 0, i%3 == 1
		in, to := g.tree()
		in.To = to
		stmts, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		places := g.b.ParentContracts[0].Currency.MinorUnit()
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkSums(t, stmts, places)
			checkCredits(t, g, stmts, places)
			checkEffectiveDates(t, g, stmts)
			if g.aligned || g.shallow {
				checkNodesNotNegative(t, g, stmts)
			}
		})
	}
}

// checkSums: every total is the sum of its lines, every line is rounded to
// the currency and has the sign of its kind.
func checkSums(t *testing.T, stmts []rating.Statement, places int32) {
	t.Helper()
	for j, s := range stmts {
		var total, subtotal, discounts, minimums, maximums, credits decimal.Decimal
		for k, l := range s.Lines {
			require.Truef(t, l.Amount.Equal(l.Amount.Round(places)), "statement %d line %d: %s has more than %d places", j, k, l.Amount, places)
			total = total.Add(l.Amount)
			switch l.Kind {
			case rating.KindUsage, rating.KindFixedFee:
				subtotal = subtotal.Add(l.Amount)
				assert.False(t, l.Amount.IsNegative(), "statement %d line %d: negative %s", j, k, l.Kind)
			case rating.KindDiscount:
				discounts = discounts.Add(l.Amount)
				assert.True(t, l.Amount.IsNegative(), "statement %d line %d: discount %s", j, k, l.Amount)
			case rating.KindMinimum:
				minimums = minimums.Add(l.Amount)
				assert.True(t, l.Amount.IsPositive(), "statement %d line %d: minimum %s", j, k, l.Amount)
			case rating.KindMaximum:
				maximums = maximums.Add(l.Amount)
				assert.True(t, l.Amount.IsNegative(), "statement %d line %d: maximum %s", j, k, l.Amount)
			case rating.KindCredit:
				credits = credits.Add(l.Amount)
				assert.True(t, l.Amount.IsNegative(), "statement %d line %d: credit %s", j, k, l.Amount)
			default:
				t.Fatalf("statement %d line %d: kind %v", j, k, l.Kind)
			}
			assert.LessOrEqual(t, l.PeriodStart, l.PeriodEnd)
		}
		assert.Truef(t, total.Equal(s.Total), "statement %d: total %s, lines sum to %s", j, s.Total, total)
		assert.Truef(t, subtotal.Equal(s.Subtotal), "statement %d: subtotal %s, lines sum to %s", j, s.Subtotal, subtotal)
		assert.Truef(t, discounts.Equal(s.Discounts), "statement %d: discounts %s, lines sum to %s", j, s.Discounts, discounts)
		assert.Truef(t, minimums.Equal(s.Minimums), "statement %d: minimums %s, lines sum to %s", j, s.Minimums, minimums)
		assert.Truef(t, maximums.Equal(s.Maximums), "statement %d: maximums %s, lines sum to %s", j, s.Maximums, maximums)
		assert.Truef(t, credits.Equal(s.Credits), "statement %d: credits %s, lines sum to %s", j, s.Credits, credits)
		if j > 0 {
			assert.Equal(t, stmts[j-1].PeriodEnd+1, s.PeriodStart, "statements are contiguous")
		}
	}
}

// checkNodesNotNegative: on every statement each node's subtree sums to
// zero or more: a descendant's modifiers land with the slices they reduce
// (docs/modifiers.md), discounts never exceed a slice's subtotal and credits never pay
// more than is due, at every level.
//
// It holds unless a node with its own frequency has a descendant with its
// own frequency and modifiers beneath a grid that splits one parent
// statement: docs/modifiers.md lands that descendant's modifier lines with its
// slice's latest line, so a node in between may discount the descendant's
// charges on an early period of its own and meet the descendant's
// discounts and credits on a later one. The engine does what docs/modifiers.md says
// there; the generator leaves those trees to the other checks.
func checkNodesNotNegative(t *testing.T, g *gen, stmts []rating.Statement) {
	t.Helper()
	for j, s := range stmts {
		assert.False(t, s.Total.IsNegative(), "statement %d: total %s", j, s.Total)
		for _, n := range g.nodes {
			sum := decimal.Zero
			for _, l := range s.Lines {
				if g.inSubtree(l.ContractID, n) {
					sum = sum.Add(l.Amount)
				}
			}
			assert.Falsef(t, sum.IsNegative(), "node %s: %s on statement %d (%s)", n, sum, j, s.PeriodStart)
		}
	}
}

// checkEffectiveDates: every line's period lies within the effective dates
// of the contract it belongs to: its own dates clipped to those of every
// contract above it (docs/periods.md). Nothing outside them is billed.
func checkEffectiveDates(t *testing.T, g *gen, stmts []rating.Statement) {
	t.Helper()
	// A product contract's dates are clipped by the node holding it, a
	// node's by the node above it, up to the parent contract.
	effective := func(c uuid.UUID) (date.Date, date.Date) {
		start, end := g.dates[c].Start, g.dates[c].End
		up, ok := g.owner[c], true
		if up == c {
			up, ok = g.parent[c]
		}
		for ; ok; up, ok = g.parent[up] {
			d := g.dates[up]
			start = max(start, d.Start)
			if end == 0 || (d.End != 0 && d.End < end) {
				end = d.End
			}
		}
		if end == 0 {
			end = date.Date(1 << 40)
		}
		return start, end
	}
	for j, s := range stmts {
		for k, l := range s.Lines {
			start, end := effective(l.ContractID)
			assert.Truef(t, l.PeriodStart >= start && l.PeriodEnd <= end,
				"statement %d line %d (%s of %s): %s..%s outside the effective dates %s..%s",
				j, k, l.Kind, l.ContractID, l.PeriodStart, l.PeriodEnd, start, end)
		}
	}
}

// checkCredits: a credit's balance is never negative and never grows, and
// its lines pay exactly what it lost from its balance: a credit pays only
// lines that are billed (docs/periods.md, effective dates).
//
// Recurring credits are one grant each recurrence: their bound is
// TestPropertyRecurringCreditsPayNoMore's; here only that their balances
// are never negative.
func checkCredits(t *testing.T, g *gen, stmts []rating.Statement, places int32) {
	t.Helper()
	paid := map[uuid.UUID]decimal.Decimal{}
	prev := map[uuid.UUID]decimal.Decimal{}
	for j, s := range stmts {
		for _, l := range s.Lines {
			if l.Kind == rating.KindCredit && !g.recurring[l.ModifierID] {
				paid[l.ModifierID] = paid[l.ModifierID].Sub(l.Amount)
			}
		}
		seen := map[uuid.UUID]bool{}
		for _, cb := range s.CreditBalances {
			if g.recurring[cb.CreditID] {
				assert.False(t, cb.Remaining.IsNegative(), "credit %s: remaining %s", cb.CreditID, cb.Remaining)
				continue
			}
			require.False(t, seen[cb.CreditID], "credit %s listed twice", cb.CreditID)
			seen[cb.CreditID] = true
			amount, ok := g.credit[cb.CreditID]
			require.True(t, ok)
			initial := amount.Round(places)
			used := initial.Sub(cb.Remaining)
			assert.False(t, cb.Remaining.IsNegative(), "credit %s: remaining %s", cb.CreditID, cb.Remaining)
			assert.Truef(t, paid[cb.CreditID].Equal(used),
				"statement %d credit %s: lines paid %s, balance fell by %s", j, cb.CreditID, paid[cb.CreditID], used)
			if p, ok := prev[cb.CreditID]; ok {
				assert.True(t, cb.Remaining.LessThanOrEqual(p), "credit %s grew from %s to %s", cb.CreditID, p, cb.Remaining)
			}
			prev[cb.CreditID] = cb.Remaining
		}
		for id, p := range paid {
			assert.Truef(t, seen[id], "credit %s paid but not in credit_balances", id)
			assert.Truef(t, p.LessThanOrEqual(g.credit[id].Round(places)), "credit %s paid %s of %s", id, p, g.credit[id])
		}
	}
}

// TestPropertyPeriodsCoverDays: the periods of any frequency over any dates
// are contiguous, start at the start, end at the end, and their proration
// factors add up to exactly the contract's days.
func TestPropertyPeriodsCoverDays(t *testing.T) {
	for i := range testrun.Cases(300, 3000) {
		g := newGen(uint64(i))
		f := g.frequency()
		start := day("2023-01-01") + date.Date(g.pick(1200))
		end := start + date.Date(1+g.pick(800))
		periods := f.Periods(start, end, end)
		require.NotEmpty(t, periods, "case %d", i)
		assert.Equal(t, start, periods[0].Start, "case %d %+v", i, f)
		assert.Equal(t, end, periods[len(periods)-1].End, "case %d %+v", i, f)
		days := 0
		for k, p := range periods {
			require.Positive(t, p.Days(), "case %d period %d", i, k)
			require.LessOrEqual(t, p.FullStart, p.Start)
			require.LessOrEqual(t, p.End, p.FullEnd)
			assert.Equal(t, p.Days() < p.FullDays(), p.Partial())
			if k > 0 {
				require.Equal(t, periods[k-1].End, p.Start, "case %d %+v: periods %d and %d", i, f, k-1, k)
			}
			if k > 0 && k < len(periods)-1 {
				assert.False(t, p.Partial(), "case %d %+v: period %d of %d is partial", i, f, k, len(periods))
			}
			days += p.Days()
		}
		assert.Equal(t, int(end-start), days)

		// The same through the engine: a fee of 1 per day of a full period
		// bills exactly one unit per day of the contract.
		b := &bundle{}
		fee := b.fee("1", "")
		fid := b.freq(f)
		id := b.parent(contract.ParentContract{Currency: "KWD", SubContract: contract.SubContract{BillingFrequency: fid,
			Dates: contract.Dates{Start: start, End: end - 1}, FixedFees: ids(fee)}})
		stmts, err := rating.Rate(rating.Input{Objects: b.Objects, Contract: id})
		require.NoError(t, err)
		require.Len(t, stmts, len(periods))
		next := start
		for k, s := range stmts {
			require.Len(t, s.Lines, 1)
			l := s.Lines[0]
			assert.Equal(t, next, l.PeriodStart, "case %d statement %d", i, k)
			assert.Equal(t, l.PeriodEnd, s.PeriodEnd)
			p := periods[k]
			want := decimal.NewFromInt(int64(p.Days())).DivRound(decimal.NewFromInt(int64(p.FullDays())), 3)
			assert.Truef(t, want.Equal(l.Amount), "case %d statement %d: fee %s, want %d/%d", i, k, l.Amount, p.Days(), p.FullDays())
			next = l.PeriodEnd + 1
		}
		assert.Equal(t, end, next)
	}
}

func TestPropertyDeterministic(t *testing.T) {
	for i := range testrun.Cases(20, 200) {
		g := newGen(uint64(1000 + i))
		in, to := g.tree()
		in.To = to
		first, err := rating.Rate(in)
		require.NoError(t, err)
		second, err := rating.Rate(in)
		require.NoError(t, err)
		a, err := json.Marshal(first)
		require.NoError(t, err)
		b, err := json.Marshal(second)
		require.NoError(t, err)
		require.Equal(t, string(a), string(b), "tree %d", i)
	}
}

// TestPropertyUsageOrder: the order of events does not change a sum, a max
// or a count.
func TestPropertyUsageOrder(t *testing.T) {
	for i := range testrun.Cases(30, 400) {
		g := newGen(uint64(2000 + i))
		in, to := g.tree()
		in.To = to
		for k := range in.Objects.Plans {
			if in.Objects.Plans[k].Aggregation == plan.Latest {
				in.Objects.Plans[k].Aggregation = plan.Max
			}
			// Free events are the first by day, then by ingest order.
			in.Objects.Plans[k].FreeEvents = 0
		}
		want, err := rating.Rate(in)
		require.NoError(t, err)
		shuffled := append([]usage.Event(nil), in.Usage...)
		g.r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		in.Usage = shuffled
		got, err := rating.Rate(in)
		require.NoError(t, err)
		a, err := json.Marshal(want)
		require.NoError(t, err)
		b, err := json.Marshal(got)
		require.NoError(t, err)
		require.Equal(t, string(a), string(b), "tree %d", i)
	}
}

// TestPropertyAnyRange: rating a part of a contract's life gives the
// statements a rating of all of it gives for that part, wherever the part
// starts: what carries from earlier statements (credit balances, periods
// of descendants begun earlier) is carried, whatever rating skips.
func TestPropertyAnyRange(t *testing.T) {
	for i := range testrun.Cases(150, 3000) {
		g := newGen(uint64(5000 + i))
		g.aligned, g.shallow = i%3 == 0, i%3 == 1
		in, to := g.tree()
		in.To = to
		all, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		if len(all) == 0 {
			continue
		}
		a := g.pick(len(all))
		b := a + g.pick(len(all)-a)
		// Any day of the first statement and of the last one.
		in.From = all[a].PeriodStart + date.Date(g.pick(int(all[a].PeriodEnd-all[a].PeriodStart)+1))
		in.To = all[b].PeriodStart + date.Date(g.pick(int(all[b].PeriodEnd-all[b].PeriodStart)+1))
		in.To = max(in.To, in.From)
		part, err := rating.Rate(in)
		require.NoError(t, err, "tree %d", i)
		want, err := json.Marshal(all[a : b+1])
		require.NoError(t, err)
		got, err := json.Marshal(part)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "tree %d, statements %d..%d from %s to %s", i, a, b, in.From, in.To)
	}
}
