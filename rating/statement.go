package rating

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/fixed"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/schedule"
)

// Kind is the kind of a statement line.
type Kind byte

// The kinds of line, in the order a node's lines come in.
const (
	KindUsage Kind = iota + 1
	KindFixedFee
	KindDiscount
	KindMinimum
	KindCredit
	KindAdjustment // a difference billed for a line of an issued statement (docs/issued.md)
	KindMaximum    // a spend cap's cut (docs/modifiers.md)
)

var kindNames = [...]string{KindUsage: "usage", KindFixedFee: "fixed_fee", KindDiscount: "discount",
	KindMinimum: "minimum", KindCredit: "credit", KindAdjustment: "adjustment", KindMaximum: "maximum"}

// String returns the kind as statements write it: "usage", "fixed_fee",
// "discount", "minimum", "maximum", "credit" or "adjustment".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind reads a kind's name, as [Kind.String] writes it.
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if name != "" && name == s {
			return Kind(k), nil
		}
	}
	return 0, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "kind",
		fmt.Sprintf("unknown line kind %q (want usage, fixed_fee, discount, minimum, maximum, credit or adjustment)", s))
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Line is one line of a statement. Amount is rounded to the currency's
// minor unit; ContractID is the node the line belongs to (the product
// contract for usage); PeriodStart and PeriodEnd are the node period, or
// the fee's recurrence, the line is for. Fields that do not apply to a kind
// are zero.
type Line struct {
	ContractID  uuid.UUID
	Kind        Kind
	ProductID   uuid.UUID       // usage
	PlanID      uuid.UUID       // usage
	FeeID       uuid.UUID       // fixed_fee
	ModifierID  uuid.UUID       // discount, minimum, maximum, credit
	PeriodStart date.Date       // first day of the period the line is for
	PeriodEnd   date.Date       // last day (inclusive)
	Quantity    decimal.Decimal // usage: the quantity after aggregation and rounding
	Amount      decimal.Decimal
	Proration   decimal.Decimal // fixed_fee: the factor applied (1 for a full period)
	// EffectiveFrom is the day the version of the document that priced the
	// line takes effect (docs/versions.md); zero for a base version.
	EffectiveFrom date.Date
	Adjusts       *Adjusts    // adjustment: the issued line it corrects
	Calculation   Calculation // how the amount came about, for a person
}

// Adjusts names the line of an issued statement an adjustment corrects:
// the statement's number and first day, and the line's kind. The
// adjustment line carries the corrected line's ids and period.
type Adjusts struct {
	Number      int
	PeriodStart date.Date
	Kind        Kind
}

// CreditBalance is what a credit has left after a statement.
type CreditBalance struct {
	CreditID  uuid.UUID
	Granted   date.Date // the day it was granted
	Remaining decimal.Decimal
	Expires   date.Date // its last valid day; 0: never
}

// Statement is what a parent contract owes for one of its billing periods.
// Total is the sum of the lines; Subtotal sums the usage and fixed-fee
// lines; Discounts, Minimums, Maximums, Adjustments and Credits sum the
// lines of their kind across the whole tree. An issued statement
// (docs/issued.md) has Issued set and its Number, 1, 2, … per parent
// contract.
//
// A Statement carries all its JSON needs: amounts are written with the
// places of its Currency. Its JSON reads back with [Statement.UnmarshalJSON].
type Statement struct {
	ContractID     uuid.UUID
	Currency       contract.Currency // the zero Currency is USD
	PeriodStart    date.Date
	PeriodEnd      date.Date // inclusive
	Lines          []Line
	Subtotal       decimal.Decimal
	Discounts      decimal.Decimal
	Minimums       decimal.Decimal
	Maximums       decimal.Decimal
	Adjustments    decimal.Decimal
	Credits        decimal.Decimal
	Total          decimal.Decimal
	CreditBalances []CreditBalance
	Issued         bool
	Number         int // issued statements only
}

// Clone returns a copy of s that shares no memory with it.
func (s Statement) Clone() Statement {
	s.Lines = slices.Clone(s.Lines)
	for i := range s.Lines {
		if a := s.Lines[i].Adjusts; a != nil {
			c := *a
			s.Lines[i].Adjusts = &c
		}
	}
	s.CreditBalances = slices.Clone(s.CreditBalances)
	return s
}

// statement builds the statement of root period p from its lines.
func (t *tree) statement(p schedule.Period, entries []entry) Statement {
	s := Statement{ContractID: t.parent.ID, Currency: t.currency, PeriodStart: p.Start, PeriodEnd: p.Last(),
		Lines: make([]Line, len(entries)), CreditBalances: t.balances(p.Last())}
	for i, en := range entries {
		s.Lines[i] = en.line
	}
	s.sum()
	return s
}

// sum sets the statement's sums from its lines: in integers of the minor
// unit while every amount fits (lines are rounded to it), in decimals
// otherwise.
func (s *Statement) sum() {
	places := s.Currency.MinorUnit()
	var ints [len(sumNames)]int64
	fast := true
	for _, l := range s.Lines {
		v, ok := fixed.FromDecimal(l.Amount, places)
		if !ok {
			fast = false
			break
		}
		if i := s.sumIndex(l.Kind); i >= 0 {
			ints[i], ok = fixed.Add(ints[i], v)
			fast = fast && ok
		}
		ints[len(ints)-1], ok = fixed.Add(ints[len(ints)-1], v)
		if fast = fast && ok; !fast {
			break
		}
	}
	sums := s.sums()
	if fast {
		for i, sum := range sums {
			*sum = decimal.Zero
			if ints[i] != 0 {
				*sum = fixed.ToDecimal(ints[i], places)
			}
		}
		return
	}
	for _, sum := range sums {
		*sum = decimal.Zero
	}
	for _, l := range s.Lines {
		if i := s.sumIndex(l.Kind); i >= 0 {
			*sums[i] = sums[i].Add(l.Amount)
		}
		s.Total = s.Total.Add(l.Amount)
	}
}

// sumIndex returns the index in sums of the sum a line of kind k counts
// in, or -1.
func (s *Statement) sumIndex(k Kind) int {
	switch k {
	case KindUsage, KindFixedFee:
		return 0
	case KindDiscount:
		return 1
	case KindMinimum:
		return 2
	case KindMaximum:
		return 3
	case KindAdjustment:
		return 4
	case KindCredit:
		return 5
	}
	return -1
}

// sumNames names the statement's sums in JSON, in the order of sums.
var sumNames = [...]string{"subtotal", "discounts", "minimums", "maximums", "adjustments", "credits", "total"}

func (s *Statement) sums() [len(sumNames)]*decimal.Decimal {
	return [...]*decimal.Decimal{&s.Subtotal, &s.Discounts, &s.Minimums, &s.Maximums, &s.Adjustments, &s.Credits, &s.Total}
}

type lineJSON struct {
	ContractID  string       `json:"contract_id"`
	Kind        Kind         `json:"kind"`
	ProductID   string       `json:"product_id,omitempty"`
	PlanID      string       `json:"plan_id,omitempty"`
	FeeID       string       `json:"fee_id,omitempty"`
	ModifierID  string       `json:"modifier_id,omitempty"`
	PeriodStart string       `json:"period_start"`
	PeriodEnd   string       `json:"period_end"`
	Quantity    *string      `json:"quantity,omitempty"`
	Amount      string       `json:"amount"`
	Proration   *string      `json:"proration,omitempty"`
	From        *string      `json:"effective_from,omitempty"`
	Adjusts     *adjustsJSON `json:"adjusts,omitempty"`
	Calculation string       `json:"calculation,omitempty"`
}

type adjustsJSON struct {
	Number      int    `json:"number"`
	PeriodStart string `json:"period_start"`
	Kind        Kind   `json:"kind"`
}

type balanceJSON struct {
	CreditID  string  `json:"credit_id"`
	Granted   *string `json:"granted,omitempty"`
	Remaining string  `json:"remaining"`
	Expires   *string `json:"expires"`
}

type statementJSON struct {
	ContractID     string        `json:"contract_id"`
	Currency       string        `json:"currency"`
	PeriodStart    string        `json:"period_start"`
	PeriodEnd      string        `json:"period_end"`
	Lines          []lineJSON    `json:"lines"`
	Subtotal       string        `json:"subtotal"`
	Discounts      string        `json:"discounts"`
	Minimums       string        `json:"minimums"`
	Maximums       string        `json:"maximums"`
	Adjustments    string        `json:"adjustments"`
	Credits        string        `json:"credits"`
	Total          string        `json:"total"`
	CreditBalances []balanceJSON `json:"credit_balances"`
	Issued         bool          `json:"issued"`
	Number         int           `json:"number,omitempty"`
}

func idText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func dayText(d date.Date) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// MarshalJSON writes the statement: amounts as strings with the currency's
// decimal places ("30.00", JPY "30"), days as "2024-01-31".
func (s Statement) MarshalJSON() ([]byte, error) {
	places := s.Currency.MinorUnit()
	money := func(d decimal.Decimal) string { return d.StringFixed(places) }
	w := statementJSON{
		ContractID: s.ContractID.String(), Currency: s.Currency.Code(),
		PeriodStart: dayText(s.PeriodStart), PeriodEnd: dayText(s.PeriodEnd),
		Lines: make([]lineJSON, len(s.Lines)), Subtotal: money(s.Subtotal), Discounts: money(s.Discounts),
		Minimums: money(s.Minimums), Maximums: money(s.Maximums), Adjustments: money(s.Adjustments),
		Credits: money(s.Credits), Total: money(s.Total),
		CreditBalances: make([]balanceJSON, len(s.CreditBalances)),
		Issued:         s.Issued, Number: s.Number,
	}
	for i, l := range s.Lines {
		lw := lineJSON{ContractID: l.ContractID.String(), Kind: l.Kind, ProductID: idText(l.ProductID),
			PlanID: idText(l.PlanID), FeeID: idText(l.FeeID), ModifierID: idText(l.ModifierID),
			PeriodStart: dayText(l.PeriodStart), PeriodEnd: dayText(l.PeriodEnd),
			Amount: money(l.Amount), Calculation: l.Calculation.String(), From: jsonx.DayText(l.EffectiveFrom)}
		if a := l.Adjusts; a != nil {
			lw.Adjusts = &adjustsJSON{Number: a.Number, PeriodStart: dayText(a.PeriodStart), Kind: a.Kind}
		}
		switch l.Kind {
		case KindUsage, KindAdjustment:
			if l.Kind == KindAdjustment && (l.Adjusts == nil || l.Adjusts.Kind != KindUsage) {
				break
			}
			q := l.Quantity.String()
			lw.Quantity = &q
		case KindFixedFee:
			p := l.Proration.String()
			lw.Proration = &p
		}
		w.Lines[i] = lw
	}
	for i, b := range s.CreditBalances {
		bw := balanceJSON{CreditID: b.CreditID.String(), Granted: jsonx.DayText(b.Granted), Remaining: money(b.Remaining)}
		if b.Expires != 0 {
			e := b.Expires.String()
			bw.Expires = &e
		}
		w.CreditBalances[i] = bw
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a statement as [Statement.MarshalJSON] writes it,
// strictly: unknown fields, malformed values and sums that are not the
// sums of the lines are refused (invalid_input, with the field's path), and
// every problem is reported.
func (s *Statement) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("rating", data)
	if err != nil {
		return err
	}
	var v Statement
	v.ContractID = required(o, "contract_id", o.UUID)
	if o.Has("currency") {
		c, err := contract.ParseCurrency(o.String("currency"))
		o.Add("currency", err)
		v.Currency = c
	} else {
		o.Raw("currency")
	}
	v.PeriodStart = required(o, "period_start", o.Date)
	v.PeriodEnd = required(o, "period_end", o.Date)
	for i, raw := range o.List("lines") {
		l, err := parseLine(raw)
		o.Add("lines["+strconv.Itoa(i)+"]", err)
		v.Lines = append(v.Lines, l)
	}
	for i, name := range sumNames {
		*v.sums()[i], _ = o.Decimal(name)
	}
	for i, raw := range o.List("credit_balances") {
		b, err := parseBalance(raw)
		o.Add("credit_balances["+strconv.Itoa(i)+"]", err)
		v.CreditBalances = append(v.CreditBalances, b)
	}
	v.Issued = o.Bool("issued")
	if n, ok := o.Int("number"); ok {
		v.Number = n
	}
	switch {
	case v.Issued && v.Number < 1:
		o.Fail(pricekit.ErrInvalidInput, "number", "an issued statement has a number of 1 or more")
	case !v.Issued && v.Number != 0:
		o.Fail(pricekit.ErrInvalidInput, "number", "a statement that is not issued has no number")
	}
	if err := o.Err(); err != nil {
		return err
	}
	// The sums are derived from the lines: a document whose sums disagree
	// with its lines is not a statement pricekit wrote.
	check := v
	check.sum()
	var errs []error
	for i, name := range sumNames {
		if got, stated := *check.sums()[i], *v.sums()[i]; !got.Equal(stated) {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", name,
				fmt.Sprintf("%s is %s but its lines sum to %s", name, stated, got)))
		}
	}
	if v.PeriodEnd < v.PeriodStart {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "rating", "period_end", "period_end is before period_start"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if v.Lines == nil {
		v.Lines = []Line{}
	}
	if v.CreditBalances == nil {
		v.CreditBalances = []CreditBalance{}
	}
	*s = v
	return nil
}

// required reads a field with get and reports it missing when absent.
func required[T any](o *jsonx.Object, name string, get func(string) (T, bool)) T {
	v, ok := get(name)
	if !ok && !o.Has(name) {
		o.Fail(pricekit.ErrInvalidInput, name, "%s is required", name)
	}
	return v
}

func parseLine(raw json.RawMessage) (Line, error) {
	o, err := jsonx.Parse("rating", raw)
	if err != nil {
		return Line{}, err
	}
	var l Line
	l.ContractID = required(o, "contract_id", o.UUID)
	l.Kind = requiredKind(o)
	l.ProductID, _ = o.UUID("product_id")
	l.PlanID, _ = o.UUID("plan_id")
	l.FeeID, _ = o.UUID("fee_id")
	l.ModifierID, _ = o.UUID("modifier_id")
	l.PeriodStart = required(o, "period_start", o.Date)
	l.PeriodEnd = required(o, "period_end", o.Date)
	l.Quantity, _ = o.Decimal("quantity")
	l.Amount = required(o, "amount", o.Decimal)
	l.Proration, _ = o.Decimal("proration")
	l.EffectiveFrom, _ = o.Date("effective_from")
	if raw := o.Raw("adjusts"); raw != nil {
		a, err := parseAdjusts(raw)
		o.Add("adjusts", err)
		l.Adjusts = &a
	}
	switch {
	case l.Kind == KindAdjustment && l.Adjusts == nil:
		o.Fail(pricekit.ErrInvalidInput, "adjusts", "an adjustment names the line it adjusts")
	case l.Kind != KindAdjustment && l.Adjusts != nil:
		o.Fail(pricekit.ErrInvalidInput, "adjusts", "only an adjustment adjusts a line")
	case l.Adjusts != nil && l.Adjusts.Kind != 0 && !adjustable(l.Adjusts.Kind):
		o.Fail(pricekit.ErrInvalidInput, "adjusts.kind", "an adjustment corrects a usage, fee, discount, minimum or maximum line, not %s", l.Adjusts.Kind)
	}
	l.Calculation = CalculationText(o.String("calculation"))
	return l, o.Err()
}

// requiredKind reads the required field "kind".
func requiredKind(o *jsonx.Object) Kind {
	if !o.Has("kind") {
		o.Raw("kind")
		o.Fail(pricekit.ErrInvalidInput, "kind", "kind is required")
		return 0
	}
	k, err := ParseKind(o.String("kind"))
	o.Add("", err)
	return k
}

func parseAdjusts(raw json.RawMessage) (Adjusts, error) {
	o, err := jsonx.Parse("rating", raw)
	if err != nil {
		return Adjusts{}, err
	}
	var a Adjusts
	if n, ok := o.Int("number"); !ok || n < 1 {
		o.Fail(pricekit.ErrInvalidInput, "number", "number (of the issued statement, 1 or more) is required")
	} else {
		a.Number = n
	}
	a.PeriodStart = required(o, "period_start", o.Date)
	a.Kind = requiredKind(o)
	return a, o.Err()
}

func parseBalance(raw json.RawMessage) (CreditBalance, error) {
	o, err := jsonx.Parse("rating", raw)
	if err != nil {
		return CreditBalance{}, err
	}
	var b CreditBalance
	b.CreditID = required(o, "credit_id", o.UUID)
	b.Granted, _ = o.Date("granted")
	b.Remaining = required(o, "remaining", o.Decimal)
	b.Expires, _ = o.Date("expires")
	return b, o.Err()
}
