package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
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
	add := func(k contract.Kind, id uuid.UUID) { inBatch[id] = k }
	for _, v := range b.FixedFees {
		add(contract.KindFixedFee, v.ID)
	}
	for _, v := range b.Plans {
		add(contract.KindPlan, v.ID)
	}
	for _, v := range b.Discounts {
		add(contract.KindDiscount, v.ID)
	}
	for _, v := range b.Minimums {
		add(contract.KindMinimum, v.ID)
	}
	for _, v := range b.Credits {
		add(contract.KindCredit, v.ID)
	}
	for _, v := range b.BillingFrequencies {
		add(contract.KindBillingFrequency, v.ID)
	}
	for _, v := range b.ProductContracts {
		add(contract.KindProductContract, v.ID)
	}
	for _, v := range b.SubContracts {
		add(contract.KindSubContract, v.ID)
	}
	for _, v := range b.ParentContracts {
		add(contract.KindParentContract, v.ID)
	}
	kindOf := func(id uuid.UUID) (contract.Kind, bool) {
		if k, ok := inBatch[id]; ok {
			return k, true
		}
		return stored(id)
	}
	var errs []error
	ref := func(path string, want contract.Kind, id uuid.UUID) {
		if k, ok := kindOf(id); !ok || k != want {
			msg := fmt.Sprintf("no %s %s", singular(want), id)
			if ok {
				msg = fmt.Sprintf("%s is a %s, not a %s", id, singular(k), singular(want))
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
		refs(path+".product_contracts", contract.KindProductContract, s.ProductContracts)
		refs(path+".fixed_fees", contract.KindFixedFee, s.FixedFees)
		refs(path+".sub_contracts", contract.KindSubContract, s.SubContracts)
		refs(path+".discounts", contract.KindDiscount, s.Discounts)
		refs(path+".minimums", contract.KindMinimum, s.Minimums)
		refs(path+".credits", contract.KindCredit, s.Credits)
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

func singular(k contract.Kind) string {
	switch k {
	case contract.KindPlan:
		return "tier plan"
	case contract.KindBillingFrequency:
		return "billing frequency"
	}
	s := string(k)
	s = s[:len(s)-1]
	for i := range s {
		if s[i] == '_' {
			s = s[:i] + " " + s[i+1:]
		}
	}
	return s
}

// CheckCycles reports a cycle among sub contracts: a contract that contains
// itself, directly or through sub contracts. children returns the sub
// contracts of a contract as it will be after the save. It walks the
// contracts with its own stack, so a long chain cannot exhaust the
// goroutine's, and visits each contract once.
func CheckCycles(roots []uuid.UUID, children func(uuid.UUID) []uuid.UUID) error {
	const (
		visiting = 1
		done     = 2
	)
	type frame struct {
		id   uuid.UUID
		kids []uuid.UUID
		next int
	}
	state := map[uuid.UUID]int{}
	for _, r := range roots {
		if state[r] != 0 {
			continue
		}
		state[r] = visiting
		stack := []frame{{id: r, kids: children(r)}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(top.kids) {
				state[top.id] = done
				stack = stack[:len(stack)-1]
				continue
			}
			c := top.kids[top.next]
			top.next++
			switch state[c] {
			case visiting:
				var loop []uuid.UUID
				for i := range stack {
					if stack[i].id == c {
						for _, f := range stack[i:] {
							loop = append(loop, f.id)
						}
						break
					}
				}
				return cycleError(append(loop, c))
			case done:
				continue
			}
			state[c] = visiting
			stack = append(stack, frame{id: c, kids: children(c)})
		}
	}
	return nil
}

// cycleError describes a loop of contracts, first and last the same.
func cycleError(loop []uuid.UUID) error {
	msg := fmt.Sprintf("contract %s contains itself through %d sub contracts", loop[0], len(loop)-1)
	if len(loop) <= 5 {
		parts := make([]string, len(loop))
		for i, id := range loop {
			parts[i] = id.String()
		}
		msg = fmt.Sprintf("contract %s contains itself: %s", loop[0], strings.Join(parts, " → "))
	}
	return pricekit.Errorf(pricekit.ErrCycle, "store", "sub_contracts", msg)
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
