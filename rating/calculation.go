package rating

import (
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

// Calculation is how a line's amount came about, for a person: "100 ×
// 0.10 = 10.00; 50 × 0.20 = 10.00", "49.00 per period", "10% of 310.00".
// A usage line's is kept as its parts (the plan and the quantity priced)
// and written out only when read, by String or a statement's JSON, so
// that rating a line costs no formatting; the other lines' are text. The
// zero Calculation is empty.
type Calculation struct {
	text  string
	fee   *feeCalculation
	usage plan.Explanation
	raw   decimal.Decimal // usage: the quantity before the plan's rounding
}

// CalculationText returns the calculation that reads s.
func CalculationText(s string) Calculation { return Calculation{text: s} }

// usageCalculation is the calculation of a usage line: x, after the note
// that the quantity raw was rounded to x's, when it was.
func usageCalculation(x plan.Explanation, raw decimal.Decimal) Calculation {
	return Calculation{usage: x, raw: raw}
}

// feeCalculation is what a fee line's text is written from (feeText).
type feeCalculation struct {
	amount, got decimal.Decimal
	how         string
	period      schedule.Period
	prorated    bool
	places      int32
}

// IsZero reports whether c is empty.
func (c Calculation) IsZero() bool { return c.text == "" && c.fee == nil && c.usage.IsZero() }

// String returns the text of c.
func (c Calculation) String() string {
	if c.usage.IsZero() && c.fee == nil {
		return c.text
	}
	return string(c.AppendText(nil))
}

// AppendText appends the text of c to b.
func (c Calculation) AppendText(b []byte) []byte {
	if f := c.fee; f != nil {
		return append(b, feeText(f.amount, f.how, f.period, f.prorated, f.got, f.places)...)
	}
	if c.usage.IsZero() {
		return append(b, c.text...)
	}
	if q := c.usage.Quantity(); !q.Equal(c.raw) {
		b = append(b, "rounded "...)
		b = append(b, c.usage.Rounding().Mode.String()...)
		b = append(b, ' ')
		b = append(b, c.raw.String()...)
		b = append(b, " → "...)
		b = append(b, q.String()...)
		b = append(b, "; "...)
	}
	return c.usage.AppendText(b)
}

// MarshalText writes the text of c.
func (c Calculation) MarshalText() ([]byte, error) { return c.AppendText(nil), nil }

// UnmarshalText reads c from its text.
func (c *Calculation) UnmarshalText(b []byte) error {
	*c = CalculationText(string(b))
	return nil
}
