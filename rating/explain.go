package rating

import (
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/internal/money"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/schedule"
)

// The calculations of statement lines: how each amount came about, for a
// person. Amounts are written as the currency shows them ("180.00"; JPY
// "500"), with more places only where a price has more digits.

// prorationText writes " × 22/31 days" for a partial period, "" for a full
// one.
func prorationText(p schedule.Period) string {
	if !p.Partial() {
		return ""
	}
	return " × " + p.FactorText() + " days"
}

// feeText explains a fee line: "100.00 per period × 14/31 days = 45.16",
// "91.00 every 3M × 60/91 days = 60.00", "20.00 once".
func feeText(amount decimal.Decimal, how string, p schedule.Period, prorated bool, got decimal.Decimal, places int32) string {
	s := money.Text(amount, places) + " " + how
	if prorated && p.Partial() {
		return s + prorationText(p) + " = " + money.Text(got, places)
	}
	if !amount.Equal(got) {
		return s + " = " + money.Text(got, places)
	}
	return s
}

// discountText explains a discount line. On a period's first slice it is
// the discount itself ("10% of 120.00 = 12.00"); on a later slice it shows
// the period's subtotal so far and what earlier slices gave. A discount cut
// to what is left of the subtotal says so.
func discountText(d modifier.Discount, cum, raw, earned, before, amt decimal.Decimal, capped, later bool, places int32) string {
	text := func(x decimal.Decimal) string { return money.Text(x, places) }
	var s string
	if d.Percentage.Valid {
		s = d.Percentage.Decimal.String() + "% of " + text(cum)
	} else {
		s = text(d.Amount.Decimal) + " off " + text(cum)
	}
	if later {
		s += " (the period so far)"
	}
	s += " = " + text(raw)
	if earned.LessThan(raw) {
		s += ", cut to " + text(earned) + " so that the discounts do not exceed the subtotal"
	}
	if later {
		s += "; less " + text(before) + " given on earlier statements"
	}
	if capped {
		s += "; capped at " + text(amt) + ", what is left of this statement's part of the period"
	} else if later {
		s += " = " + text(amt)
	}
	return s
}

// minimumText explains a true-up: "minimum 113.00 − 108.00 = 5.00", with
// the proration of a partial period and, when the period spread over
// several statements, that the minimum is on all of it.
func minimumText(amount, prorated, billed, up decimal.Decimal, p schedule.Period, spread bool, places int32) string {
	text := func(x decimal.Decimal) string { return money.Text(x, places) }
	s := "minimum " + text(amount)
	if p.Partial() {
		s += prorationText(p) + " = " + text(prorated)
	}
	s += " − " + text(billed)
	if spread {
		s += " billed for " + p.Start.String() + " – " + p.Last().String()
	}
	return s + " = " + text(up)
}

// termText explains a term commitment's true-up: "commitment 1200.00 for
// 2024-01-01 – 2024-12-31 − 1100.00 billed = 100.00", with the proration
// of a window the contract's dates cut.
func termText(amount, prorated, billed, up decimal.Decimal, w schedule.Period, places int32) string {
	text := func(x decimal.Decimal) string { return money.Text(x, places) }
	s := "commitment " + text(amount)
	if w.Partial() {
		s += prorationText(w) + " = " + text(prorated)
	}
	return s + " for " + w.Start.String() + " – " + w.Last().String() + " − " + text(billed) + " billed = " + text(up)
}

// maximumText explains a cap: "maximum 500.00: 620.00 − 500.00 = 120.00",
// with the proration of a partial period, what earlier slices of the
// period cut, and when the slice's own charges bound the cut.
func maximumText(amount, prorated, result, before, cut decimal.Decimal, p schedule.Period, spread, capped bool,
	places int32) string {
	text := func(x decimal.Decimal) string { return money.Text(x, places) }
	s := "maximum " + text(amount)
	if p.Partial() {
		s += prorationText(p) + " = " + text(prorated)
	}
	s += ": " + text(result)
	if spread {
		s += " billed for " + p.Start.String() + " – " + p.Last().String() + " so far"
	}
	s += " − " + text(prorated)
	if before.IsPositive() {
		s += " − " + text(before) + " cut before"
	}
	s += " = " + text(result.Sub(prorated).Sub(before))
	if capped {
		s += "; cut to " + text(cut) + ", what this statement's part of the period bills"
	}
	return s
}

// creditText explains a payment: "credit balance 150.00 pays 125.16,
// leaves 24.84".
func creditText(before, pay, after decimal.Decimal, places int32) string {
	return "credit balance " + money.Text(before, places) + " pays " + money.Text(pay, places) +
		", leaves " + money.Text(after, places)
}
