package store

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/limits"
)

// Lookup reports the kind of a stored document, and false when no document
// of that id is stored.
type Lookup func(id uuid.UUID) (contract.Kind, bool)

// CheckReferences reports every reference in b that names no document of
// the right kind, in b or in the store (stored), as unknown_reference with
// its path, such as "sub_contracts[0].minimums[0]". Back ends call it
// before writing.
func CheckReferences(b contract.Objects, stored Lookup) error {
	inBatch := map[uuid.UUID]contract.Kind{}
	b.Each(func(k contract.Kind, _ int, id uuid.UUID, _ any) {
		if k != contract.KindCustomer {
			inBatch[id] = k
		}
	})
	kindOf := func(id uuid.UUID) (contract.Kind, bool) {
		if k, ok := inBatch[id]; ok {
			return k, true
		}
		return stored(id)
	}
	var errs []error
	ref := func(path string, want contract.Kind, id uuid.UUID) {
		if k, ok := kindOf(id); !ok || k != want {
			msg := fmt.Sprintf("no %s %s", want.Singular(), id)
			if ok {
				msg = fmt.Sprintf("%s is a %s, not a %s", id, k.Singular(), want.Singular())
			}
			errs = append(errs, pricekit.Errorf(pricekit.ErrUnknownReference, "store", path, msg))
		}
	}
	refs := func(path string, want contract.Kind, ids []uuid.UUID) {
		for i, id := range ids {
			ref(fmt.Sprintf("%s[%d]", path, i), want, id)
		}
	}
	node := func(path string, s contract.SubContract) {
		if s.BillingFrequency != uuid.Nil {
			ref(path+".billing_frequency", contract.KindBillingFrequency, s.BillingFrequency)
		}
		for _, l := range s.Lists() {
			refs(path+"."+string(l.Kind), l.Kind, l.IDs)
		}
	}
	for i, p := range b.ProductContracts {
		path := fmt.Sprintf("product_contracts[%d]", i)
		ref(path+".tiers", contract.KindPlan, p.PlanID)
		if p.BillingFrequency != uuid.Nil {
			ref(path+".billing_frequency", contract.KindBillingFrequency, p.BillingFrequency)
		}
	}
	for i, s := range b.SubContracts {
		node(fmt.Sprintf("sub_contracts[%d]", i), s)
	}
	for i, p := range b.ParentContracts {
		node(fmt.Sprintf("parent_contracts[%d]", i), p.SubContract)
	}
	return errors.Join(errs...)
}

// CheckKinds refuses a document of b whose id is stored as a document of
// another kind (one id names one document): invalid_input at its id, such
// as "minimums[0].id". Back ends call it before writing.
func CheckKinds(b contract.Objects, stored Lookup) error {
	var errs []error
	for _, k := range contract.Kinds() {
		for i, id := range b.IDsOf(k) {
			if have, ok := stored(id); ok && have != k {
				errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "store", fmt.Sprintf("%s[%d].id", k, i),
					fmt.Sprintf("id %s is already a %s", id, have.Singular())))
			}
		}
	}
	return errors.Join(errs...)
}

// ClaimOrganization sets an empty organization_id of the batch's customers
// and parent contracts to org and refuses another organization's
// (invalid_input). Back ends call it before writing.
func ClaimOrganization(o *contract.Objects, org uuid.UUID) error {
	var errs []error
	claim := func(path string, id *uuid.UUID) {
		switch *id {
		case uuid.Nil:
			*id = org
		case org:
		default:
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "store", path+".organization_id",
				"belongs to another organization"))
		}
	}
	for i := range o.Customers {
		claim(fmt.Sprintf("customers[%d]", i), &o.Customers[i].OrganizationID)
	}
	for i := range o.ParentContracts {
		claim(fmt.Sprintf("parent_contracts[%d]", i), &o.ParentContracts[i].OrganizationID)
	}
	return errors.Join(errs...)
}

// CheckIssued refuses an issued statement a store cannot keep: a number
// below 1, no first day, a negative position, no statement. Back ends call
// it before [StatementKeeper.Issue] writes, and check the position against
// their own.
func CheckIssued(is Issued) error {
	switch {
	case is.Number < 1:
		return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "number", fmt.Sprintf("number %d is below 1", is.Number))
	case is.PeriodStart == 0:
		return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "period_start", "period_start is required")
	case limits.Day("store", "period_start", is.PeriodStart) != nil:
		return limits.Day("store", "period_start", is.PeriodStart)
	case len(is.Statement) == 0:
		return pricekit.Errorf(pricekit.ErrMissingInput, "store", "statement", "no statement to issue")
	}
	if is.Position < 0 {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "position", fmt.Sprintf("position %d is negative", is.Position))
	}
	if is.Through != 0 {
		if err := limits.Day("store", "through", is.Through); err != nil {
			return err
		}
	}
	for i, n := range is.Adjusts {
		if n < 1 || n >= is.Number || (i > 0 && n <= is.Adjusts[i-1]) {
			return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "adjusts",
				fmt.Sprintf("adjusts lists earlier statements in increasing order, not %v", is.Adjusts))
		}
	}
	return limits.Text("store", "documents", is.Documents)
}

// CheckPosition refuses an issued statement rated at a position beyond
// now, the ingest position of the store that keeps the usage: it would
// take events accepted later for billed.
func CheckPosition(is Issued, now int64) error {
	if is.Position > now {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "store", "position",
			fmt.Sprintf("position %d is beyond the ingest position now, %d", is.Position, now))
	}
	return nil
}

// IssuedParent is what [CheckIssuedParents] needs of a stored parent
// contract: the contract as stored, and whether it has issued statements.
type IssuedParent func(id uuid.UUID) (stored contract.ParentContract, issued bool)

// CheckIssuedParents refuses (invalid_input) a save that changes the start
// date, currency or billing frequency of a parent contract with issued
// statements: its periods and amounts are those of the statements issued,
// so changing them would leave a contract its issued statements no longer
// fit (docs/issued.md). Its end date, lists and everything else remain
// corrections, billed through adjustments. Back ends call it before
// writing.
func CheckIssuedParents(b contract.Objects, stored IssuedParent) error {
	var errs []error
	for i, p := range b.ParentContracts {
		old, issued := stored(p.ID)
		if !issued {
			continue
		}
		fail := func(field, what string) {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "store", fmt.Sprintf("parent_contracts[%d].%s", i, field),
				fmt.Sprintf("the contract has issued statements: its %s is fixed (start a new parent contract to change it)", what)))
		}
		if p.Start != old.Start {
			fail("start_date", "start date")
		}
		if p.Currency.Code() != old.Currency.Code() {
			fail("currency", "currency")
		}
		if p.BillingFrequency != old.BillingFrequency {
			fail("billing_frequency", "billing frequency")
		}
	}
	return errors.Join(errs...)
}
