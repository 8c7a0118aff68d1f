package contract

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

// Objects is a bundle of documents of every kind: what a store saves in one
// all-or-nothing batch, a scenario's "objects", or a resolved contract tree.
// Its JSON form is an object with one list per kind, named as below.
type Objects struct {
	Customers          []Customer                  `json:"customers"`
	FixedFees          []plan.FixedFee             `json:"fixed_fees"`
	Plans              []plan.TierPlan             `json:"tiers"`
	Discounts          []modifier.Discount         `json:"discounts"`
	Minimums           []modifier.Minimum          `json:"minimums"`
	Credits            []modifier.Credit           `json:"credits"`
	BillingFrequencies []schedule.BillingFrequency `json:"billing_frequencies"`
	ProductContracts   []ProductContract           `json:"product_contracts"`
	SubContracts       []SubContract               `json:"sub_contracts"`
	ParentContracts    []ParentContract            `json:"parent_contracts"`
}

// Kind names a kind of document, as the lists of [Objects] do in JSON.
type Kind string

// The kinds of document.
const (
	KindCustomer         Kind = "customers"
	KindFixedFee         Kind = "fixed_fees"
	KindPlan             Kind = "tiers"
	KindDiscount         Kind = "discounts"
	KindMinimum          Kind = "minimums"
	KindCredit           Kind = "credits"
	KindBillingFrequency Kind = "billing_frequencies"
	KindProductContract  Kind = "product_contracts"
	KindSubContract      Kind = "sub_contracts"
	KindParentContract   Kind = "parent_contracts"
)

// Kinds returns every kind, in the order documents are built (bottom-up).
// The list is new on every call, so a caller may keep or change it.
func Kinds() []Kind {
	return []Kind{KindCustomer, KindFixedFee, KindPlan, KindDiscount, KindMinimum, KindCredit,
		KindBillingFrequency, KindProductContract, KindSubContract, KindParentContract}
}

// Len returns the number of documents in o.
func (o Objects) Len() int {
	return len(o.Customers) + len(o.FixedFees) + len(o.Plans) + len(o.Discounts) + len(o.Minimums) +
		len(o.Credits) + len(o.BillingFrequencies) + len(o.ProductContracts) + len(o.SubContracts) +
		len(o.ParentContracts)
}

// Clone returns a deep copy of o.
func (o Objects) Clone() Objects {
	c := Objects{
		Customers:          append([]Customer(nil), o.Customers...),
		FixedFees:          append([]plan.FixedFee(nil), o.FixedFees...),
		Discounts:          append([]modifier.Discount(nil), o.Discounts...),
		Minimums:           append([]modifier.Minimum(nil), o.Minimums...),
		Credits:            append([]modifier.Credit(nil), o.Credits...),
		BillingFrequencies: append([]schedule.BillingFrequency(nil), o.BillingFrequencies...),
		ProductContracts:   append([]ProductContract(nil), o.ProductContracts...),
	}
	for _, p := range o.Plans {
		c.Plans = append(c.Plans, p.Clone())
	}
	for _, s := range o.SubContracts {
		c.SubContracts = append(c.SubContracts, s.Clone())
	}
	for _, p := range o.ParentContracts {
		c.ParentContracts = append(c.ParentContracts, p.Clone())
	}
	return c
}

// Validate checks every document on its own (not the references between
// them), reporting each problem under its path, such as
// "tiers[0].tiers[1].start", and that no id names documents of two kinds
// (invalid_input at the later one's id, such as "credits[0].id"). The same
// id twice in one kind is allowed: the later document replaces the earlier.
func (o Objects) Validate() error {
	var errs []error
	kindOf := map[uuid.UUID]Kind{}
	for _, k := range Kinds() {
		i := -1
		o.eachID(k, func(id uuid.UUID) {
			i++
			if id == uuid.Nil {
				return
			}
			if other, ok := kindOf[id]; ok && other != k {
				errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "contract", fmt.Sprintf("%s[%d].id", k, i),
					fmt.Sprintf("id %s already names a document of %s in this bundle", id, other)))
				return
			}
			kindOf[id] = k
		})
	}
	check := func(kind Kind, i int, err error) {
		if err != nil {
			errs = append(errs, pricekit.Prefix(fmt.Sprintf("%s[%d]", kind, i), err))
		}
	}
	for i, v := range o.Customers {
		check(KindCustomer, i, v.Validate())
	}
	for i, v := range o.FixedFees {
		check(KindFixedFee, i, v.Validate())
	}
	for i, v := range o.Plans {
		check(KindPlan, i, v.Validate())
	}
	for i, v := range o.Discounts {
		check(KindDiscount, i, v.Validate())
	}
	for i, v := range o.Minimums {
		check(KindMinimum, i, v.Validate())
	}
	for i, v := range o.Credits {
		check(KindCredit, i, v.Validate())
	}
	for i, v := range o.BillingFrequencies {
		check(KindBillingFrequency, i, v.Validate())
	}
	for i, v := range o.ProductContracts {
		check(KindProductContract, i, v.Validate())
	}
	for i, v := range o.SubContracts {
		check(KindSubContract, i, v.Validate())
	}
	for i, v := range o.ParentContracts {
		check(KindParentContract, i, v.Validate())
	}
	return errors.Join(errs...)
}

// UnmarshalJSON reads a bundle: an object with a list per kind (a missing
// or null list is empty), refusing unknown kinds. Every document is decoded
// strictly and validated; every problem is reported under its path.
func (o *Objects) UnmarshalJSON(data []byte) error {
	obj, err := jsonx.Parse("contract", data)
	if err != nil {
		if errors.Is(err, pricekit.ErrMissingInput) {
			*o = Objects{}
			return nil
		}
		return err
	}
	var v Objects
	decodeList(obj, KindCustomer, &v.Customers)
	decodeList(obj, KindFixedFee, &v.FixedFees)
	decodeList(obj, KindPlan, &v.Plans)
	decodeList(obj, KindDiscount, &v.Discounts)
	decodeList(obj, KindMinimum, &v.Minimums)
	decodeList(obj, KindCredit, &v.Credits)
	decodeList(obj, KindBillingFrequency, &v.BillingFrequencies)
	decodeList(obj, KindProductContract, &v.ProductContracts)
	decodeList(obj, KindSubContract, &v.SubContracts)
	decodeList(obj, KindParentContract, &v.ParentContracts)
	if err := obj.Err(); err != nil {
		return err
	}
	*o = v
	return nil
}

func decodeList[T any](obj *jsonx.Object, kind Kind, out *[]T) {
	for i, raw := range obj.List(string(kind)) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			var perr *pricekit.Error
			if !errors.As(err, &perr) && !isJoin(err) {
				err = pricekit.Errorf(pricekit.ErrInvalidInput, "contract", "", "malformed JSON")
			}
			obj.Add(fmt.Sprintf("%s[%d]", kind, i), err)
			continue
		}
		*out = append(*out, v)
	}
}

func isJoin(err error) bool {
	_, ok := err.(interface{ Unwrap() []error })
	return ok
}

// IDs assigns a new id from newID to every document in o whose id is
// uuid.Nil.
func (o *Objects) IDs(newID func() uuid.UUID) {
	fill := func(id *uuid.UUID) {
		if *id == uuid.Nil {
			*id = newID()
		}
	}
	for i := range o.Customers {
		fill(&o.Customers[i].ID)
	}
	for i := range o.FixedFees {
		fill(&o.FixedFees[i].ID)
	}
	for i := range o.Plans {
		fill(&o.Plans[i].ID)
	}
	for i := range o.Discounts {
		fill(&o.Discounts[i].ID)
	}
	for i := range o.Minimums {
		fill(&o.Minimums[i].ID)
	}
	for i := range o.Credits {
		fill(&o.Credits[i].ID)
	}
	for i := range o.BillingFrequencies {
		fill(&o.BillingFrequencies[i].ID)
	}
	for i := range o.ProductContracts {
		fill(&o.ProductContracts[i].ID)
	}
	for i := range o.SubContracts {
		fill(&o.SubContracts[i].ID)
	}
	for i := range o.ParentContracts {
		fill(&o.ParentContracts[i].ID)
	}
}

// IDsOf lists the ids of the documents of one kind, in order.
func (o Objects) IDsOf(kind Kind) []uuid.UUID {
	var ids []uuid.UUID
	o.eachID(kind, func(id uuid.UUID) { ids = append(ids, id) })
	return ids
}

// eachID calls add with the id of each document of one kind, in order.
func (o Objects) eachID(kind Kind, add func(uuid.UUID)) {
	switch kind {
	case KindCustomer:
		for _, v := range o.Customers {
			add(v.ID)
		}
	case KindFixedFee:
		for _, v := range o.FixedFees {
			add(v.ID)
		}
	case KindPlan:
		for _, v := range o.Plans {
			add(v.ID)
		}
	case KindDiscount:
		for _, v := range o.Discounts {
			add(v.ID)
		}
	case KindMinimum:
		for _, v := range o.Minimums {
			add(v.ID)
		}
	case KindCredit:
		for _, v := range o.Credits {
			add(v.ID)
		}
	case KindBillingFrequency:
		for _, v := range o.BillingFrequencies {
			add(v.ID)
		}
	case KindProductContract:
		for _, v := range o.ProductContracts {
			add(v.ID)
		}
	case KindSubContract:
		for _, v := range o.SubContracts {
			add(v.ID)
		}
	case KindParentContract:
		for _, v := range o.ParentContracts {
			add(v.ID)
		}
	}
}
