package rating

import (
	"encoding/json"
	"strconv"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
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
)

// String returns the kind as statements write it: "usage", "fixed_fee",
// "discount", "minimum" or "credit".
func (k Kind) String() string {
	switch k {
	case KindUsage:
		return "usage"
	case KindFixedFee:
		return "fixed_fee"
	case KindDiscount:
		return "discount"
	case KindMinimum:
		return "minimum"
	case KindCredit:
		return "credit"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Line is one line of a statement (SPEC 4.4). Amount is rounded to the
// currency's minor unit; ContractID is the node the line belongs to (the
// product contract for usage). Fields that do not apply to a kind are zero.
type Line struct {
	ContractID  uuid.UUID
	Kind        Kind
	ProductID   uuid.UUID       // usage
	PlanID      uuid.UUID       // usage
	FeeID       uuid.UUID       // fixed_fee
	ModifierID  uuid.UUID       // discount, minimum, credit
	PeriodStart date.Date       // first day of the period the line is for
	PeriodEnd   date.Date       // last day (inclusive)
	Quantity    decimal.Decimal // usage: the quantity after aggregation and rounding
	Amount      decimal.Decimal
	Proration   decimal.Decimal // fixed_fee: the factor applied (1 for a full period)
	Calculation string          // how the amount came about, for a person
}

// CreditBalance is what a credit has left after a statement.
type CreditBalance struct {
	CreditID  uuid.UUID
	Remaining decimal.Decimal
	Expires   date.Date // its last valid day; 0: never
}

// Statement is what a parent contract owes for one of its billing periods
// (SPEC 4.4). Total is the sum of the lines; Subtotal sums the usage and
// fixed-fee lines; Discounts, Minimums and Credits sum those kinds across
// the whole tree.
type Statement struct {
	ContractID     uuid.UUID
	Currency       string
	PeriodStart    date.Date
	PeriodEnd      date.Date // inclusive
	Lines          []Line
	Subtotal       decimal.Decimal
	Discounts      decimal.Decimal
	Minimums       decimal.Decimal
	Credits        decimal.Decimal
	Total          decimal.Decimal
	CreditBalances []CreditBalance
	places         int32
}

type lineJSON struct {
	ContractID  string  `json:"contract_id"`
	Kind        Kind    `json:"kind"`
	ProductID   string  `json:"product_id,omitempty"`
	PlanID      string  `json:"plan_id,omitempty"`
	FeeID       string  `json:"fee_id,omitempty"`
	ModifierID  string  `json:"modifier_id,omitempty"`
	PeriodStart string  `json:"period_start,omitempty"`
	PeriodEnd   string  `json:"period_end,omitempty"`
	Quantity    *string `json:"quantity,omitempty"`
	Amount      string  `json:"amount"`
	Proration   *string `json:"proration,omitempty"`
	Calculation string  `json:"calculation,omitempty"`
}

type balanceJSON struct {
	CreditID  string  `json:"credit_id"`
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
	Credits        string        `json:"credits"`
	Total          string        `json:"total"`
	CreditBalances []balanceJSON `json:"credit_balances"`
}

func idText(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// MarshalJSON writes the statement as SPEC 4.4 shows it: amounts as strings
// with the currency's decimal places ("30.00", JPY "30").
func (s Statement) MarshalJSON() ([]byte, error) {
	money := func(d decimal.Decimal) string { return d.StringFixed(s.places) }
	w := statementJSON{
		ContractID: s.ContractID.String(), Currency: s.Currency,
		PeriodStart: s.PeriodStart.String(), PeriodEnd: s.PeriodEnd.String(),
		Lines: make([]lineJSON, len(s.Lines)), Subtotal: money(s.Subtotal), Discounts: money(s.Discounts),
		Minimums: money(s.Minimums), Credits: money(s.Credits), Total: money(s.Total),
		CreditBalances: make([]balanceJSON, len(s.CreditBalances)),
	}
	for i, l := range s.Lines {
		lw := lineJSON{ContractID: l.ContractID.String(), Kind: l.Kind, ProductID: idText(l.ProductID),
			PlanID: idText(l.PlanID), FeeID: idText(l.FeeID), ModifierID: idText(l.ModifierID),
			Amount: money(l.Amount), Calculation: l.Calculation}
		if l.PeriodStart != 0 {
			lw.PeriodStart, lw.PeriodEnd = l.PeriodStart.String(), l.PeriodEnd.String()
		}
		switch l.Kind {
		case KindUsage:
			q := l.Quantity.String()
			lw.Quantity = &q
		case KindFixedFee:
			p := l.Proration.String()
			lw.Proration = &p
		}
		w.Lines[i] = lw
	}
	for i, b := range s.CreditBalances {
		bw := balanceJSON{CreditID: b.CreditID.String(), Remaining: money(b.Remaining)}
		if b.Expires != 0 {
			e := b.Expires.String()
			bw.Expires = &e
		}
		w.CreditBalances[i] = bw
	}
	return json.Marshal(w)
}
