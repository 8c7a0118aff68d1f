package contract

import (
	"encoding/json"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit/internal/jsonx"
)

type customerJSON struct {
	ID             uuid.UUID `json:"id"`
	DisplayName    string    `json:"display_name,omitempty"`
	Name           string    `json:"customer_name"`
	Email          string    `json:"customer_email"`
	OrganizationID uuid.UUID `json:"organization_id"`
}

// MarshalJSON writes c canonically.
func (c Customer) MarshalJSON() ([]byte, error) { return json.Marshal(customerJSON(c)) }

// UnmarshalJSON reads a customer document.
func (c *Customer) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("contract", data)
	if err != nil {
		return err
	}
	var v Customer
	o.Unversioned("a customer")
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Name = o.String("customer_name")
	v.Email = o.String("customer_email")
	v.OrganizationID, _ = o.UUID("organization_id")
	if err := o.Err(); err != nil {
		return err
	}
	*c = v
	return nil
}

func dayString(d date.Date) *string {
	if d == 0 {
		return nil
	}
	s := d.String()
	return &s
}

func idString(id uuid.UUID) *string {
	if id == uuid.Nil {
		return nil
	}
	s := id.String()
	return &s
}

func ids(list []uuid.UUID) []uuid.UUID {
	if list == nil {
		return []uuid.UUID{}
	}
	return list
}

type productJSON struct {
	ID               uuid.UUID `json:"id"`
	DisplayName      string    `json:"display_name"`
	ProductID        uuid.UUID `json:"product_id"`
	Tiers            uuid.UUID `json:"tiers"`
	BillingFrequency *string   `json:"billing_frequency"`
	StartDate        *string   `json:"start_date"`
	EndDate          *string   `json:"end_date"`
}

// MarshalJSON writes p canonically (days as "2024-01-31").
func (p ProductContract) MarshalJSON() ([]byte, error) {
	return json.Marshal(productJSON{ID: p.ID, DisplayName: p.DisplayName, ProductID: p.ProductID, Tiers: p.PlanID,
		BillingFrequency: idString(p.BillingFrequency), StartDate: dayString(p.Start), EndDate: dayString(p.End)})
}

// UnmarshalJSON reads a product contract document and validates it.
func (p *ProductContract) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("contract", data)
	if err != nil {
		return err
	}
	var v ProductContract
	o.Unversioned("a contract")
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.ProductID, _ = o.UUID("product_id")
	v.PlanID, _ = o.UUID("tiers")
	v.BillingFrequency, _ = o.UUID("billing_frequency")
	v.Start, _ = o.Date("start_date")
	v.End, _ = o.Date("end_date")
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*p = v
	return nil
}

type subJSON struct {
	ID                 uuid.UUID   `json:"id"`
	DisplayName        string      `json:"display_name"`
	BillingFrequency   *string     `json:"billing_frequency"`
	StartDate          *string     `json:"start_date"`
	EndDate            *string     `json:"end_date"`
	ProductContracts   []uuid.UUID `json:"product_contracts"`
	FixedFees          []uuid.UUID `json:"fixed_fees"`
	SubContracts       []uuid.UUID `json:"sub_contracts"`
	Discounts          []uuid.UUID `json:"discounts"`
	Minimums           []uuid.UUID `json:"minimums"`
	Maximums           []uuid.UUID `json:"maximums"`
	Credits            []uuid.UUID `json:"credits"`
	OverrideUnderlying bool        `json:"override_underlying"`
}

func (s SubContract) wire() subJSON {
	return subJSON{ID: s.ID, DisplayName: s.DisplayName, BillingFrequency: idString(s.BillingFrequency),
		StartDate: dayString(s.Start), EndDate: dayString(s.End), ProductContracts: ids(s.ProductContracts),
		FixedFees: ids(s.FixedFees), SubContracts: ids(s.SubContracts), Discounts: ids(s.Discounts),
		Minimums: ids(s.Minimums), Maximums: ids(s.Maximums), Credits: ids(s.Credits), OverrideUnderlying: s.OverrideUnderlying}
}

// MarshalJSON writes s canonically (lists always as lists).
func (s SubContract) MarshalJSON() ([]byte, error) { return json.Marshal(s.wire()) }

// readSub reads the fields a sub contract and a parent contract share.
func readSub(o *jsonx.Object) SubContract {
	var v SubContract
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.BillingFrequency, _ = o.UUID("billing_frequency")
	v.Start, _ = o.Date("start_date")
	v.End, _ = o.Date("end_date")
	v.ProductContracts = o.UUIDs("product_contracts")
	v.FixedFees = o.UUIDs("fixed_fees")
	v.SubContracts = o.UUIDs("sub_contracts")
	v.Discounts = o.UUIDs("discounts")
	v.Minimums = o.UUIDs("minimums")
	v.Maximums = o.UUIDs("maximums")
	v.Credits = o.UUIDs("credits")
	v.OverrideUnderlying = o.Bool("override_underlying")
	return v
}

// UnmarshalJSON reads a sub contract document (lists also as a single id)
// and validates it.
func (s *SubContract) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("contract", data)
	if err != nil {
		return err
	}
	o.Unversioned("a contract")
	v := readSub(o)
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*s = v
	return nil
}

type parentJSON struct {
	subJSON
	OrganizationID uuid.UUID `json:"organization_id"`
	CustomerID     uuid.UUID `json:"customer_id"`
	Currency       string    `json:"currency"`
	TimeZone       string    `json:"timezone"`
}

// MarshalJSON writes p canonically.
func (p ParentContract) MarshalJSON() ([]byte, error) {
	tz := p.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	return json.Marshal(parentJSON{subJSON: p.SubContract.wire(), OrganizationID: p.OrganizationID,
		CustomerID: p.CustomerID, Currency: p.Currency.Code(), TimeZone: tz})
}

// UnmarshalJSON reads a parent contract document and validates it. An
// absent currency reads as "USD" and an absent timezone as "UTC".
func (p *ParentContract) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("contract", data)
	if err != nil {
		return err
	}
	o.Unversioned("a contract")
	v := ParentContract{SubContract: readSub(o)}
	v.OrganizationID, _ = o.UUID("organization_id")
	v.CustomerID, _ = o.UUID("customer_id")
	if o.Has("currency") {
		c, err := ParseCurrency(o.String("currency"))
		o.Add("currency", err)
		v.Currency = c
	} else {
		o.Raw("currency")
		v.Currency = "USD"
	}
	// The defaults are written out, so that a decoded contract says what it
	// means and reads back equal from its own JSON.
	if v.TimeZone = o.String("timezone"); v.TimeZone == "" {
		v.TimeZone = "UTC"
	}
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*p = v
	return nil
}
