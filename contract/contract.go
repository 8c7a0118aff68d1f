package contract

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/limits"
)

func bad(field, format string, args ...any) error {
	return pricekit.Errorf(pricekit.ErrInvalidInput, "contract", field, fmt.Sprintf(format, args...))
}

// Customer is the host's customer, to whom parent contracts belong.
type Customer struct {
	ID             uuid.UUID
	DisplayName    string
	Name           string // "customer_name"
	Email          string // "customer_email"
	OrganizationID uuid.UUID
}

// Validate reports every problem with c, joined: its texts (display name,
// name and email) must be valid UTF-8 without NUL characters. The name and
// email are the host's to check otherwise; organization_id is checked by a
// store against the organization saving it.
func (c Customer) Validate() error {
	return errors.Join(limits.Text("contract", "display_name", c.DisplayName),
		limits.Text("contract", "customer_name", c.Name), limits.Text("contract", "customer_email", c.Email))
}

// Dates are the days a contract runs: Start through End, both inclusive.
// A zero End means evergreen (no end).
type Dates struct {
	Start date.Date
	End   date.Date
}

// EndExclusive returns the first day after the contract, or 0 when evergreen.
func (d Dates) EndExclusive() date.Date {
	if d.End == 0 {
		return 0
	}
	return d.End + 1
}

// Contains reports whether day lies within the contract's dates.
func (d Dates) Contains(day date.Date) bool {
	return day >= d.Start && (d.End == 0 || day <= d.End)
}

func (d Dates) validate() error {
	var errs []error
	if d.Start == 0 {
		errs = append(errs, bad("start_date", "start_date is required"))
	} else {
		if err := limits.Day("contract", "start_date", d.Start); err != nil {
			errs = append(errs, err)
		}
	}
	if d.End != 0 {
		if err := limits.Day("contract", "end_date", d.End); err != nil {
			errs = append(errs, err)
		}
	}
	if d.End != 0 && d.End < d.Start {
		errs = append(errs, bad("end_date", "end_date %s is before start_date %s", d.End, d.Start))
	}
	return errors.Join(errs...)
}

// ProductContract prices one product's usage with a tier plan. It is the
// leaf of a contract tree.
type ProductContract struct {
	ID               uuid.UUID
	DisplayName      string
	ProductID        uuid.UUID // the host's product id
	PlanID           uuid.UUID // "tiers": the tier plan
	BillingFrequency uuid.UUID // uuid.Nil: the periods of the node that holds it
	Dates
}

// Validate reports every problem with p that needs no store, joined.
func (p ProductContract) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("contract", "display_name", p.DisplayName))
	if p.PlanID == uuid.Nil {
		errs = append(errs, bad("tiers", "tiers (a tier plan id) is required"))
	}
	errs = append(errs, p.Dates.validate())
	return errors.Join(errs...)
}

// SubContract groups product contracts, fixed fees, modifiers and further
// sub contracts under one node of the tree.
type SubContract struct {
	ID               uuid.UUID
	DisplayName      string
	BillingFrequency uuid.UUID // uuid.Nil: the periods of the node that holds it
	Dates
	ProductContracts   []uuid.UUID
	FixedFees          []uuid.UUID
	SubContracts       []uuid.UUID
	Discounts          []uuid.UUID
	Minimums           []uuid.UUID
	Maximums           []uuid.UUID
	Credits            []uuid.UUID
	OverrideUnderlying bool
}

// Clone returns a copy of s that shares no memory with it.
func (s SubContract) Clone() SubContract {
	s.ProductContracts = clone(s.ProductContracts)
	s.FixedFees = clone(s.FixedFees)
	s.SubContracts = clone(s.SubContracts)
	s.Discounts = clone(s.Discounts)
	s.Minimums = clone(s.Minimums)
	s.Maximums = clone(s.Maximums)
	s.Credits = clone(s.Credits)
	return s
}

func clone(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return nil
	}
	return append([]uuid.UUID(nil), ids...)
}

// List is one of the lists of ids a sub or parent contract holds: the
// kind of document it names, which is also its field's name, and the ids.
type List struct {
	Kind Kind
	IDs  []uuid.UUID
}

// Lists returns the lists of s in field order: product contracts, fixed
// fees, sub contracts, then its modifiers (discounts, minimums, maximums,
// credits). They share s's memory.
func (s SubContract) Lists() []List {
	return []List{{KindProductContract, s.ProductContracts}, {KindFixedFee, s.FixedFees},
		{KindSubContract, s.SubContracts}, {KindDiscount, s.Discounts}, {KindMinimum, s.Minimums},
		{KindMaximum, s.Maximums}, {KindCredit, s.Credits}}
}

// Validate reports every problem with s that needs no store, joined.
func (s SubContract) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("contract", "display_name", s.DisplayName), s.Dates.validate())
	for _, id := range s.SubContracts {
		if id == s.ID && id != uuid.Nil {
			errs = append(errs, pricekit.Errorf(pricekit.ErrCycle, "contract", "sub_contracts", "a contract cannot contain itself"))
		}
	}
	return errors.Join(errs...)
}

// ParentContract is the root of a contract tree: a sub contract that
// belongs to a customer, with the currency and time zone of its statements.
type ParentContract struct {
	SubContract
	OrganizationID uuid.UUID
	CustomerID     uuid.UUID
	Currency       Currency // zero: USD
	TimeZone       string   // IANA name; "": UTC
}

// Clone returns a copy of p that shares no memory with it.
func (p ParentContract) Clone() ParentContract {
	p.SubContract = p.SubContract.Clone()
	return p
}

// Location returns the contract's time zone (UTC when none is named).
func (p ParentContract) Location() (*time.Location, error) {
	if p.TimeZone == "" || p.TimeZone == "UTC" {
		return time.UTC, nil
	}
	if p.TimeZone == "Local" {
		return nil, bad("timezone", "time zone \"Local\" depends on the host; name an IANA zone")
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, bad("timezone", "unknown time zone %q", p.TimeZone)
	}
	return loc, nil
}

// Validate reports every problem with p that needs no store, joined.
func (p ParentContract) Validate() error {
	var errs []error
	if err := p.SubContract.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !p.Currency.Valid() {
		errs = append(errs, bad("currency", "unknown currency %q", string(p.Currency)))
	}
	if err := limits.Text("contract", "timezone", p.TimeZone); err != nil {
		errs = append(errs, err)
	} else if _, err := p.Location(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
