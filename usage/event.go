package usage

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/internal/limits"
)

// Event is one usage record (docs/documents.md): Quantity of a product used under a
// product contract, on a Date or at a Timestamp (exactly one of them).
//
// ID is the host's idempotency key (any non-empty string, such as a source
// record id); an event without one is accepted but has no idempotency.
// A ProductID of uuid.Nil means the contract's own product.
type Event struct {
	ID         string
	ContractID uuid.UUID // a product contract
	ProductID  uuid.UUID
	Date       date.Date
	Timestamp  time.Time
	Quantity   decimal.Decimal
}

// MaxIDLength is the longest event id accepted, in bytes: far beyond any
// source record id, and a bound that keeps a hostile batch from making an
// index of ids enormous.
const MaxIDLength = limits.MaxEventID

// Validate reports every problem with e that needs no store, joined: the
// limits of docs/errors.md (an id of valid UTF-8 without NUL, at most
// [MaxIDLength] bytes; a quantity of at most 38 significant digits and 28
// places; a day in 0001-01-02 .. 9999-12-31), a contract, exactly one of
// date and timestamp, and a quantity not negative.
func (e Event) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.EventID("usage", "id", e.ID), limits.Decimal("usage", "quantity", e.Quantity))
	bad := func(field, msg string) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", field, msg))
	}
	if e.Date != 0 {
		if err := limits.Day("usage", "date", e.Date); err != nil {
			errs = append(errs, err)
		}
	}
	if !e.Timestamp.IsZero() {
		// Its day in any time zone lies within a day of its day in UTC.
		if d := date.NewAt(e.Timestamp.UTC()); d <= limits.First || d >= limits.Last {
			bad("timestamp", "timestamp "+e.Timestamp.UTC().Format(time.RFC3339)+" is outside 0001-01-03 .. 9999-12-30 (UTC)")
		}
	}
	if e.ContractID == uuid.Nil {
		bad("contract_id", "contract_id (a product contract id) is required")
	}
	switch {
	case e.Date == 0 && e.Timestamp.IsZero():
		bad("date", "one of date and timestamp is required")
	case e.Date != 0 && !e.Timestamp.IsZero():
		bad("timestamp", "give date or timestamp, not both")
	}
	if e.Quantity.IsNegative() {
		bad("quantity", "quantity "+e.Quantity.String()+" is negative")
	}
	return errors.Join(errs...)
}

// Day returns the calendar day of e in loc: its Date, or its Timestamp
// converted to loc.
func (e Event) Day(loc *time.Location) date.Date {
	if e.Date != 0 {
		return e.Date
	}
	if loc == nil {
		loc = time.UTC
	}
	return date.NewAt(e.Timestamp.In(loc))
}

// SamePayload reports whether e and o carry the same values: the test for a
// replayed event. Spelling does not matter (5 equals "5.0"; Z equals +00:00).
func (e Event) SamePayload(o Event) bool {
	return e.ID == o.ID && e.ContractID == o.ContractID && e.ProductID == o.ProductID &&
		e.Date == o.Date && e.Timestamp.Equal(o.Timestamp) && e.Quantity.Equal(o.Quantity)
}

type eventJSON struct {
	ID         string          `json:"id,omitempty"`
	ContractID uuid.UUID       `json:"contract_id"`
	ProductID  *string         `json:"product_id,omitempty"`
	Date       string          `json:"date,omitempty"`
	Timestamp  string          `json:"timestamp,omitempty"`
	Quantity   decimal.Decimal `json:"quantity"`
}

// MarshalJSON writes e canonically (quantity as a string, timestamp in
// RFC 3339).
func (e Event) MarshalJSON() ([]byte, error) {
	w := eventJSON{ID: e.ID, ContractID: e.ContractID, Quantity: e.Quantity}
	if e.ProductID != uuid.Nil {
		s := e.ProductID.String()
		w.ProductID = &s
	}
	if e.Date != 0 {
		w.Date = e.Date.String()
	} else if !e.Timestamp.IsZero() {
		w.Timestamp = e.Timestamp.Format(time.RFC3339Nano)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a usage event and validates it.
func (e *Event) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("usage", data)
	if err != nil {
		return err
	}
	var v Event
	if raw := o.Raw("id"); raw != nil {
		if err := json.Unmarshal(raw, &v.ID); err != nil || v.ID == "" {
			o.Fail(pricekit.ErrInvalidInput, "id", "id must be a non-empty string")
		}
	}
	v.ContractID, _ = o.UUID("contract_id")
	v.ProductID, _ = o.UUID("product_id")
	v.Date, _ = o.Date("date")
	if o.Has("timestamp") {
		t, err := jsonx.ParseTimestamp(o.String("timestamp"))
		if err != nil {
			o.Fail(pricekit.ErrInvalidInput, "timestamp", "%v", err)
		}
		v.Timestamp = t
	} else {
		o.Raw("timestamp")
	}
	var ok bool
	if v.Quantity, ok = o.Decimal("quantity"); !ok && !o.Has("quantity") {
		o.Fail(pricekit.ErrInvalidInput, "quantity", "quantity is required")
	}
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*e = v
	return nil
}
