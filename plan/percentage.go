package plan

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// Charge returns the per-event terms of a [Percentage] plan, for a usage
// request to price each event of a period where the events are kept
// ([usage.Charge]): the plan's Rate, EventFee, EventMinimum, EventMaximum
// and FreeEvents. It is nil for any other plan. Each call returns a new
// Charge, which the caller may keep or change.
func (pr *Pricer) Charge() *usage.Charge {
	p := &pr.plan
	if p.Pricing != Percentage {
		return nil
	}
	return &usage.Charge{Rate: p.Rate, Fee: p.EventFee, Minimum: p.EventMinimum, Maximum: p.EventMaximum, Free: p.FreeEvents}
}

// ChargeLine prices a percentage plan's period, whose events c are priced
// by [Pricer.Charge], as the statement line of period p shows it: the
// exact sum c.Amount rounded once to places decimal places, half away
// from zero, then raised to the plan's minimum or lowered to its maximum,
// each prorated for p like a fixed fee (the zero Period is a full one);
// and the explanation of it, such as "412 events: 1.3% of 8210.00 =
// 106.73 + 412 × 0.30 = 123.60; 12 raised to the event minimum (+3.10)",
// whose quantity is c.Quantity.
func (pr *Pricer) ChargeLine(c usage.Charges, p schedule.Period, places int32) (decimal.Decimal, Explanation) {
	x := Explanation{pr: pr, q: c.Quantity, places: places, line: &lineNote{charged: true, charges: c}}
	return pr.bound(money.Round(c.Amount, places), x, p, places)
}

// appendCharges writes what a percentage line's events cost: the free
// events, the percentage of their quantity, the event fees, and how many
// the event minimum raised or the event maximum lowered.
func (pr *Pricer) appendCharges(b []byte, c usage.Charges, places int32) []byte {
	p := &pr.plan
	text := func(b []byte, d decimal.Decimal) []byte { return append(b, money.Text(d, places)...) }
	if p.FreeEvents > 0 {
		b = append(b, "first "...)
		if p.FreeEvents > 1 {
			b = strconv.AppendInt(b, p.FreeEvents, 10)
			b = append(b, ' ')
		}
		b = appendEvents(b, p.FreeEvents)
		b = append(b, " free; "...)
	}
	if c.Events == 0 {
		if p.FreeEvents > 0 {
			return append(b, "no paying events"...)
		}
		return append(b, "no events"...)
	}
	b = strconv.AppendInt(b, c.Events, 10)
	b = append(b, ' ')
	b = appendEvents(b, c.Events)
	b = append(b, ": "...)
	withRate := !p.Rate.IsZero() || p.EventFee.IsZero()
	if withRate {
		b = append(b, p.Rate.String()...)
		b = append(b, "% of "...)
		b = text(b, c.Quantity)
		b = append(b, " = "...)
		b = text(b, c.Quantity.Mul(p.Rate.Shift(-2)))
	}
	if !p.EventFee.IsZero() {
		if withRate {
			b = append(b, " + "...)
		}
		b = strconv.AppendInt(b, c.Events, 10)
		b = append(b, " × "...)
		b = text(b, p.EventFee)
		b = append(b, " = "...)
		b = text(b, p.EventFee.Mul(decimal.NewFromInt(c.Events)))
	}
	if c.Raised > 0 {
		b = append(b, "; "...)
		b = strconv.AppendInt(b, c.Raised, 10)
		b = append(b, " raised to the event minimum (+"...)
		b = text(b, c.RaisedBy)
		b = append(b, ')')
	}
	if c.Lowered > 0 {
		b = append(b, "; "...)
		b = strconv.AppendInt(b, c.Lowered, 10)
		b = append(b, " lowered to the event maximum (−"...)
		b = text(b, c.LoweredBy)
		b = append(b, ')')
	}
	return b
}

// appendEvents writes "event" or "events", as n wants.
func appendEvents(b []byte, n int64) []byte {
	if n == 1 {
		return append(b, "event"...)
	}
	return append(b, "events"...)
}
