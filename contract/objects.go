package contract

import (
	"errors"
	"fmt"
	"slices"

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
	Maximums           []modifier.Maximum          `json:"maximums"`
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
	KindMaximum          Kind = "maximums"
	KindCredit           Kind = "credits"
	KindBillingFrequency Kind = "billing_frequencies"
	KindProductContract  Kind = "product_contracts"
	KindSubContract      Kind = "sub_contracts"
	KindParentContract   Kind = "parent_contracts"
)

// Kinds returns every kind, in the order documents are built (bottom-up).
// The list is new on every call, so a caller may keep or change it.
func Kinds() []Kind {
	out := make([]Kind, len(registry))
	for i, e := range registry {
		out[i] = e.kind()
	}
	return out
}

// Len returns the number of documents in o.
func (o Objects) Len() int {
	n := 0
	for _, e := range registry {
		n += e.length(&o)
	}
	return n
}

// Clone returns a deep copy of o.
func (o Objects) Clone() Objects {
	var c Objects
	for _, e := range registry {
		e.copyInto(&c, &o)
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
	// The versions of a fee share its period (looked at only when an id
	// comes twice: a bundle seldom holds versions).
	for _, set := range feeVersions(o.FixedFees) {
		fees := make([]plan.FixedFee, len(set.Docs))
		for i, d := range set.Docs {
			fees[i] = d.(plan.FixedFee)
		}
		at := slices.IndexFunc(o.FixedFees, func(f plan.FixedFee) bool { return f.ID == set.ID && f.Period != fees[0].Period })
		if at >= 0 {
			errs = append(errs, CheckFeeVersions(fees, fmt.Sprintf("%s[%d]", KindFixedFee, at)))
		}
	}
	for _, e := range registry {
		e.validateAll(&o, func(i int, err error) {
			if err != nil {
				errs = append(errs, pricekit.Prefix(fmt.Sprintf("%s[%d]", e.kind(), i), err))
			}
		})
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
	for _, e := range registry {
		e.decodeList(obj, &v)
	}
	if err := obj.Err(); err != nil {
		return err
	}
	*o = v
	return nil
}

func isJoin(err error) bool {
	_, ok := err.(interface{ Unwrap() []error })
	return ok
}

// IDs assigns a new id from newID to every document in o whose id is
// uuid.Nil.
func (o *Objects) IDs(newID func() uuid.UUID) {
	for _, e := range registry {
		e.fillIDs(o, newID)
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
	if e, ok := lookupKind(kind); ok {
		e.each(&o, func(_ int, id uuid.UUID, _ any) { add(id) })
	}
}

// feeVersions returns the version sets of the fees whose id o holds more
// than once.
func feeVersions(fees []plan.FixedFee) []Set {
	twice := false
	if len(fees) <= 16 {
		for i := 1; i < len(fees) && !twice; i++ {
			for j := range i {
				twice = twice || fees[j].ID == fees[i].ID
			}
		}
	} else {
		seen := make(map[uuid.UUID]bool, len(fees))
		for _, f := range fees {
			twice = twice || seen[f.ID]
			seen[f.ID] = true
		}
	}
	if !twice {
		return nil
	}
	return Objects{FixedFees: fees}.Sets(KindFixedFee)
}
