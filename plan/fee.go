package plan

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

func joinErrs(errs []error) error { return errors.Join(errs...) }

// FeePeriod says when a fixed fee is charged. The zero FeePeriod charges it
// every billing period of the node that holds it.
type FeePeriod struct {
	Once  bool           // one time, on the node's first statement
	Every schedule.Every // its own recurrence from the node's start; zero: every billing period
}

// String writes the period as in JSON: "", "once" or a recurrence ("3M").
func (p FeePeriod) String() string {
	switch {
	case p.Once:
		return "once"
	case !p.Every.IsZero():
		return p.Every.String()
	}
	return ""
}

// FixedFee is an amount charged per period (docs/pricing.md). It is an entity,
// stored by id and shared by many contracts.
type FixedFee struct {
	ID          uuid.UUID
	DisplayName string
	Amount      decimal.Decimal
	Period      FeePeriod
	// EffectiveFrom is the first day of the periods this version prices
	// (docs/versions.md); zero: the base version, in force before every
	// dated one.
	EffectiveFrom date.Date
}

// Validate reports every problem with f, joined.
func (f FixedFee) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("plan", "display_name", f.DisplayName), limits.Decimal("plan", "amount", f.Amount))
	if f.Amount.IsNegative() {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "amount", fmt.Sprintf("amount %s is negative", f.Amount)))
	}
	if f.Period.Once && !f.Period.Every.IsZero() {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "period", "a fee is either once or recurring"))
	}
	if e := f.Period.Every; !e.IsZero() && (e.N < 1 || e.Unit < schedule.Day || e.Unit > schedule.Year) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "plan", "period", "malformed recurrence"))
	}
	if f.EffectiveFrom != 0 {
		errs = append(errs, limits.Day("plan", "effective_from", f.EffectiveFrom))
	}
	return errors.Join(errs...)
}

type feeJSON struct {
	ID          uuid.UUID       `json:"id"`
	DisplayName string          `json:"display_name"`
	Amount      decimal.Decimal `json:"amount"`
	Period      *string         `json:"period"`
	From        *string         `json:"effective_from,omitempty"`
}

// MarshalJSON writes f canonically (amount as a string, period null, "once"
// or a recurrence).
func (f FixedFee) MarshalJSON() ([]byte, error) {
	w := feeJSON{ID: f.ID, DisplayName: f.DisplayName, Amount: f.Amount}
	if s := f.Period.String(); s != "" {
		w.Period = &s
	}
	w.From = jsonx.DayText(f.EffectiveFrom)
	return json.Marshal(w)
}

// UnmarshalJSON reads a fixed fee document and validates it.
func (f *FixedFee) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("plan", data)
	if err != nil {
		return err
	}
	var v FixedFee
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Amount = o.RequiredDecimal("amount")
	if o.Has("period") {
		switch s := o.String("period"); s {
		case "once":
			v.Period.Once = true
		default:
			e, err := schedule.ParseEvery(s)
			o.Add("period", err)
			v.Period.Every = e
		}
	} else {
		o.Raw("period")
	}
	v.EffectiveFrom, _ = o.Date("effective_from")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*f = v
	return nil
}
