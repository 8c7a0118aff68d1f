package schedule

import (
	"strconv"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
)

// Period is a billing period: the half-open range of days [Start, End), and
// the full period [FullStart, FullEnd) of the grid it was cut from. A period
// is partial when it is shorter than its full period (a contract starting or
// ending inside it); its proration factor is Days ÷ FullDays.
//
// The zero Period is empty.
type Period struct {
	Start, End         date.Date
	FullStart, FullEnd date.Date
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.End - p.Start) }

// FullDays is the number of days in the full period p was cut from.
func (p Period) FullDays() int { return int(p.FullEnd - p.FullStart) }

// Last is the period's last day (inclusive), as statements show it.
func (p Period) Last() date.Date { return p.End - 1 }

// Partial reports whether p is shorter than its full period.
func (p Period) Partial() bool { return p.Days() < p.FullDays() }

// Contains reports whether day d lies in [Start, End).
func (p Period) Contains(d date.Date) bool { return d >= p.Start && d < p.End }

// Factor is the proration factor Days ÷ FullDays, rounded to 16 decimal
// places for display. Use [Period.Prorate] for money: it divides exactly.
func (p Period) Factor() decimal.Decimal {
	if !p.Partial() || p.FullDays() == 0 {
		return decimal.NewFromInt(1)
	}
	return decimal.NewFromInt(int64(p.Days())).DivRound(decimal.NewFromInt(int64(p.FullDays())), 16)
}

// FactorText writes the factor as a fraction of days, such as "22/31", or
// "1" for a full period.
func (p Period) FactorText() string {
	if !p.Partial() {
		return "1"
	}
	return strconv.Itoa(p.Days()) + "/" + strconv.Itoa(p.FullDays())
}

// Prorate returns amount × Days ÷ FullDays rounded to places decimal places,
// half away from zero, in one exact step.
func (p Period) Prorate(amount decimal.Decimal, places int32) decimal.Decimal {
	if !p.Partial() || p.FullDays() == 0 {
		return amount.Round(places)
	}
	return amount.Mul(decimal.NewFromInt(int64(p.Days()))).DivRound(decimal.NewFromInt(int64(p.FullDays())), places)
}

// Clip returns the parts of periods that overlap [start, end), keeping each
// one's full period, so a node that shares its parent's periods is partial
// where it starts or ends inside one. An end of 0 means no end.
func Clip(periods []Period, start, end date.Date) []Period {
	var out []Period
	for _, p := range periods {
		s, e := max(p.Start, start), p.End
		if end != 0 {
			e = min(e, end)
		}
		if s < e {
			p.Start, p.End = s, e
			out = append(out, p)
		}
	}
	return out
}
