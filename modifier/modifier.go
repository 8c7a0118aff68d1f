package modifier

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/internal/limits"
	"github.com/pricekit/pricekit/schedule"
)

// DefaultPriority is the burn priority of a credit that names none.
const DefaultPriority = 50

var hundred = decimal.NewFromInt(100)

func bad(field, format string, args ...any) error {
	return pricekit.Errorf(pricekit.ErrInvalidInput, "modifier", field, fmt.Sprintf(format, args...))
}

// Discount lowers a node's subtotal S for a period (docs/modifiers.md): by Percentage
// percent of S, or by a fixed Amount (never more than S), and only when S
// reaches Threshold. Exactly one of Percentage and Amount is set. It
// applies to the node's periods that begin on or after StartDate (zero:
// the node's start), and of those to the first Duration (zero: all).
type Discount struct {
	ID          uuid.UUID
	DisplayName string
	Percentage  decimal.NullDecimal
	Amount      decimal.NullDecimal
	Threshold   decimal.NullDecimal
	Duration    int       // periods it applies to; 0: every one ("duration": null), 1: "once"
	StartDate   date.Date // zero: the start of the node that holds it
	// EffectiveFrom is the first day of the periods this version applies
	// to (docs/versions.md); zero: the base version.
	EffectiveFrom date.Date
}

// Validate reports every problem with d, joined.
func (d Discount) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("modifier", "display_name", d.DisplayName),
		decimalField("percentage", d.Percentage), decimalField("amount", d.Amount), decimalField("threshold", d.Threshold))
	switch {
	case d.Percentage.Valid == d.Amount.Valid:
		errs = append(errs, bad("percentage", "a discount has exactly one of percentage and amount"))
	case d.Percentage.Valid && (d.Percentage.Decimal.IsNegative() || d.Percentage.Decimal.GreaterThan(hundred)):
		errs = append(errs, bad("percentage", "percentage %s is outside 0..100", d.Percentage.Decimal))
	case d.Amount.Valid && d.Amount.Decimal.IsNegative():
		errs = append(errs, bad("amount", "amount %s is negative", d.Amount.Decimal))
	}
	if d.Threshold.Valid && d.Threshold.Decimal.IsNegative() {
		errs = append(errs, bad("threshold", "threshold %s is negative", d.Threshold.Decimal))
	}
	if d.Duration < 0 {
		errs = append(errs, bad("duration", "duration %d is below 1", d.Duration))
	}
	if d.StartDate != 0 {
		errs = append(errs, limits.Day("modifier", "start_date", d.StartDate))
	}
	errs = append(errs, effectiveFrom(d.EffectiveFrom))
	return errors.Join(errs...)
}

// Apply returns the discount on subtotal s, before rounding and before the
// cap that keeps several discounts from taking s below 0: zero when s is
// not positive or below the threshold, s·p/100 for a percentage, min(A, s)
// for an amount.
func (d Discount) Apply(s decimal.Decimal) decimal.Decimal {
	if !s.IsPositive() || (d.Threshold.Valid && s.LessThan(d.Threshold.Decimal)) {
		return decimal.Decimal{}
	}
	if d.Percentage.Valid {
		return s.Mul(d.Percentage.Decimal).Shift(-2) // exact: ÷ 100 needs no rounding
	}
	return decimal.Min(d.Amount.Decimal, s)
}

// Minimum is a minimum spend per period (docs/modifiers.md): when a node's discounted
// subtotal is below Amount (prorated for a partial period), a true-up line
// makes up the difference. With a Period it is a term commitment instead:
// Amount over each window of Period from the node's own start.
type Minimum struct {
	ID          uuid.UUID
	DisplayName string
	Amount      decimal.Decimal
	Period      schedule.Every // zero: every billing period
	// EffectiveFrom is the first day of the periods this version applies
	// to (docs/versions.md); zero: the base version.
	EffectiveFrom date.Date
}

// Validate reports every problem with m, joined.
func (m Minimum) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("modifier", "display_name", m.DisplayName), limits.Decimal("modifier", "amount", m.Amount))
	if m.Amount.IsNegative() {
		errs = append(errs, bad("amount", "amount %s is negative", m.Amount))
	}
	if e := m.Period; !e.IsZero() && (e.N < 1 || e.Unit < schedule.Day || e.Unit > schedule.Year) {
		errs = append(errs, bad("period", "malformed period"))
	}
	errs = append(errs, effectiveFrom(m.EffectiveFrom))
	return errors.Join(errs...)
}

// effectiveFrom checks a version's day against the limits.
func effectiveFrom(d date.Date) error {
	if d == 0 {
		return nil
	}
	return limits.Day("modifier", "effective_from", d)
}

// Maximum is a spend cap per period (docs/modifiers.md): when a node's
// result after its discounts and minimums is above Amount (prorated for a
// partial period), a maximum line brings it down to it.
type Maximum struct {
	ID          uuid.UUID
	DisplayName string
	Amount      decimal.Decimal
	// EffectiveFrom is the first day of the periods this version applies
	// to (docs/versions.md); zero: the base version.
	EffectiveFrom date.Date
}

// Validate reports every problem with m, joined.
func (m Maximum) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("modifier", "display_name", m.DisplayName), limits.Decimal("modifier", "amount", m.Amount))
	if m.Amount.IsNegative() {
		errs = append(errs, bad("amount", "amount %s is negative", m.Amount))
	}
	errs = append(errs, effectiveFrom(m.EffectiveFrom))
	return errors.Join(errs...)
}

type maximumJSON struct {
	ID          uuid.UUID       `json:"id"`
	DisplayName string          `json:"display_name"`
	Amount      decimal.Decimal `json:"amount"`
	From        *string         `json:"effective_from,omitempty"`
}

// MarshalJSON writes m canonically.
func (m Maximum) MarshalJSON() ([]byte, error) {
	return json.Marshal(maximumJSON{ID: m.ID, DisplayName: m.DisplayName, Amount: m.Amount, From: jsonx.DayText(m.EffectiveFrom)})
}

// UnmarshalJSON reads a maximum document and validates it.
func (m *Maximum) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("modifier", data)
	if err != nil {
		return err
	}
	var v Maximum
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Amount = o.RequiredDecimal("amount")
	v.EffectiveFrom, _ = o.Date("effective_from")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*m = v
	return nil
}

// every reads an optional recurrence field, such as "1Y" (zero when null
// or absent).
func every(o *jsonx.Object, name string) schedule.Every {
	if !o.Has(name) {
		o.Raw(name)
		return schedule.Every{}
	}
	e, err := schedule.ParseEvery(o.String(name))
	o.Add(name, err)
	return e
}

// decimalField checks an optional decimal against the limits.
func decimalField(field string, d decimal.NullDecimal) error {
	if !d.Valid {
		return nil
	}
	return limits.Decimal("modifier", field, d.Decimal)
}

// Credit is a prepaid balance (docs/modifiers.md): Amount is granted on StartDate
// (zero: the node's start) and pays statements whose period starts before
// it expires, Expiry after the grant (zero: never). Credits burn in order of
// lowest Priority, then earliest expiry, then start, then id.
type Credit struct {
	ID          uuid.UUID
	DisplayName string
	Amount      decimal.Decimal
	Expiry      schedule.Every
	Priority    int
	StartDate   date.Date // zero: the start of the node that holds it
	// Recurrence, when set, grants Amount anew every recurrence from the
	// grant day; each grant is valid for Expiry from its own day (zero: the
	// recurrence's length). Rollover, a fraction from 0 to 1, carries that
	// share of a grant's unspent remainder into the next grant when it
	// expires.
	Recurrence schedule.Every
	Rollover   decimal.Decimal
}

// Validate reports every problem with c, joined.
func (c Credit) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("modifier", "display_name", c.DisplayName), limits.Decimal("modifier", "amount", c.Amount))
	if c.StartDate != 0 {
		if err := limits.Day("modifier", "start_date", c.StartDate); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Amount.IsNegative() {
		errs = append(errs, bad("amount", "amount %s is negative", c.Amount))
	}
	if e := c.Expiry; !e.IsZero() && (e.N < 1 || e.Unit < schedule.Day || e.Unit > schedule.Year) {
		errs = append(errs, bad("expiry", "malformed expiry"))
	}
	if e := c.Recurrence; !e.IsZero() && (e.N < 1 || e.Unit < schedule.Day || e.Unit > schedule.Year) {
		errs = append(errs, bad("recurrence", "malformed recurrence"))
	}
	switch {
	case limits.Decimal("modifier", "rollover", c.Rollover) != nil:
		errs = append(errs, limits.Decimal("modifier", "rollover", c.Rollover))
	case c.Rollover.IsNegative() || c.Rollover.GreaterThan(decimal.NewFromInt(1)):
		errs = append(errs, bad("rollover", "rollover %s is outside 0..1", c.Rollover))
	case !c.Rollover.IsZero() && c.Recurrence.IsZero():
		errs = append(errs, bad("rollover", "a rollover carries into the next grant: it needs a recurrence"))
	}
	return errors.Join(errs...)
}

// Window returns the days [grant, expiry) in which c's first grant pays
// statements, for a node starting on nodeStart. An expiry of 0 means never.
func (c Credit) Window(nodeStart date.Date) (grant, expiry date.Date) {
	return c.Grant(nodeStart, 0)
}

// Grant returns the days [grant, expiry) of c's grant k (0: the first),
// for a node starting on nodeStart: a credit without recurrence has one.
// A grant of a recurring credit is valid for the recurrence's length
// unless c names an expiry. An expiry of 0 means never.
func (c Credit) Grant(nodeStart date.Date, k int) (grant, expiry date.Date) {
	start := c.StartDate
	if start == 0 {
		start = nodeStart
	}
	grant = start
	if !c.Recurrence.IsZero() {
		grant = c.Recurrence.Nth(start, k)
	}
	switch {
	case !c.Expiry.IsZero():
		expiry = c.Expiry.Nth(grant, 1)
	case !c.Recurrence.IsZero():
		expiry = c.Recurrence.Nth(start, k+1)
	}
	return grant, expiry
}

type discountJSON struct {
	ID          uuid.UUID           `json:"id"`
	DisplayName string              `json:"display_name"`
	Percentage  decimal.NullDecimal `json:"percentage,omitzero"`
	Amount      decimal.NullDecimal `json:"amount,omitzero"`
	Threshold   decimal.NullDecimal `json:"threshold"`
	Duration    *int                `json:"duration,omitempty"`
	StartDate   *string             `json:"start_date,omitempty"`
	From        *string             `json:"effective_from,omitempty"`
}

// MarshalJSON writes d canonically.
func (d Discount) MarshalJSON() ([]byte, error) {
	w := discountJSON{ID: d.ID, DisplayName: d.DisplayName, Percentage: d.Percentage,
		Amount: d.Amount, Threshold: d.Threshold, StartDate: jsonx.DayText(d.StartDate), From: jsonx.DayText(d.EffectiveFrom)}
	if d.Duration != 0 {
		w.Duration = &d.Duration
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a discount document and validates it.
func (d *Discount) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("modifier", data)
	if err != nil {
		return err
	}
	var v Discount
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Percentage.Decimal, v.Percentage.Valid = o.Decimal("percentage")
	v.Amount.Decimal, v.Amount.Valid = o.Decimal("amount")
	v.Threshold.Decimal, v.Threshold.Valid = o.Decimal("threshold")
	if raw := o.Raw("duration"); raw != nil {
		var once string
		if json.Unmarshal(raw, &once) == nil {
			if once != "once" {
				o.Fail(pricekit.ErrInvalidInput, "duration", "duration is \"once\", a number of periods or null, not %q", once)
			}
			v.Duration = 1
		} else if n, err := jsonx.ParseInt(raw); err != nil || n < 1 {
			o.Fail(pricekit.ErrInvalidInput, "duration", "duration is \"once\", a number of periods of 1 or more, or null")
		} else {
			v.Duration = n
		}
	}
	v.StartDate, _ = o.Date("start_date")
	v.EffectiveFrom, _ = o.Date("effective_from")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*d = v
	return nil
}

type minimumJSON struct {
	ID          uuid.UUID       `json:"id"`
	DisplayName string          `json:"display_name"`
	Amount      decimal.Decimal `json:"amount"`
	Period      *string         `json:"period,omitempty"`
	From        *string         `json:"effective_from,omitempty"`
}

// MarshalJSON writes m canonically.
func (m Minimum) MarshalJSON() ([]byte, error) {
	w := minimumJSON{ID: m.ID, DisplayName: m.DisplayName, Amount: m.Amount, From: jsonx.DayText(m.EffectiveFrom)}
	if !m.Period.IsZero() {
		s := m.Period.String()
		w.Period = &s
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a minimum document and validates it.
func (m *Minimum) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("modifier", data)
	if err != nil {
		return err
	}
	var v Minimum
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Amount = o.RequiredDecimal("amount")
	v.Period = every(o, "period")
	v.EffectiveFrom, _ = o.Date("effective_from")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*m = v
	return nil
}

type creditJSON struct {
	ID          uuid.UUID        `json:"id"`
	DisplayName string           `json:"display_name"`
	Amount      decimal.Decimal  `json:"amount"`
	Expiry      *string          `json:"expiry"`
	Priority    int              `json:"priority"`
	StartDate   *string          `json:"start_date"`
	Recurrence  *string          `json:"recurrence,omitempty"`
	Rollover    *decimal.Decimal `json:"rollover,omitempty"`
}

// MarshalJSON writes c canonically.
func (c Credit) MarshalJSON() ([]byte, error) {
	w := creditJSON{ID: c.ID, DisplayName: c.DisplayName, Amount: c.Amount, Priority: c.Priority}
	if !c.Expiry.IsZero() {
		s := c.Expiry.String()
		w.Expiry = &s
	}
	if c.StartDate != 0 {
		s := c.StartDate.String()
		w.StartDate = &s
	}
	if !c.Recurrence.IsZero() {
		s := c.Recurrence.String()
		w.Recurrence = &s
	}
	if !c.Rollover.IsZero() {
		w.Rollover = &c.Rollover
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a credit document (priority defaults to 50) and
// validates it.
func (c *Credit) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("modifier", data)
	if err != nil {
		return err
	}
	v := Credit{Priority: DefaultPriority}
	o.Unversioned("a credit")
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Amount = o.RequiredDecimal("amount")
	v.Expiry = every(o, "expiry")
	if n, ok := o.Int("priority"); ok {
		v.Priority = n
	}
	v.StartDate, _ = o.Date("start_date")
	v.Recurrence = every(o, "recurrence")
	v.Rollover, _ = o.Decimal("rollover")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*c = v
	return nil
}
