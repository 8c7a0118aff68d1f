package rating

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

// node is one contract of the tree being rated: the parent or a sub
// contract, with everything it references resolved.
type node struct {
	id        uuid.UUID
	dates     contract.Dates
	freq      *schedule.BillingFrequency // own frequency; nil: shares its parent's periods
	anchor    schedule.Anchor            // of the periods it uses
	products  []*product
	fees      []plan.FixedFee
	children  []*node
	discounts []modifier.Discount // empty when an ancestor overrides
	minimums  []modifier.Minimum
	credits   []modifier.Credit
	periods   []schedule.Period
}

// product is a product contract of the tree.
type product struct {
	pc     contract.ProductContract
	pricer *plan.Pricer
	freq   *schedule.BillingFrequency
	index  int // dense index into the usage groups
}

// tree is a resolved parent contract.
type tree struct {
	root     *node
	parent   contract.ParentContract
	loc      *time.Location
	places   int32
	products []*product // by dense index
	byID     map[uuid.UUID]*product
}

// index holds a bundle's documents by id.
type index struct {
	fees      map[uuid.UUID]plan.FixedFee
	plans     map[uuid.UUID]plan.TierPlan
	discounts map[uuid.UUID]modifier.Discount
	minimums  map[uuid.UUID]modifier.Minimum
	credits   map[uuid.UUID]modifier.Credit
	freqs     map[uuid.UUID]schedule.BillingFrequency
	products  map[uuid.UUID]contract.ProductContract
	subs      map[uuid.UUID]contract.SubContract
	parents   map[uuid.UUID]contract.ParentContract
}

func byID[T any](items []T, id func(T) uuid.UUID) map[uuid.UUID]T {
	m := make(map[uuid.UUID]T, len(items))
	for _, v := range items {
		m[id(v)] = v // a later document with the same id replaces an earlier one
	}
	return m
}

func newIndex(o contract.Objects) *index {
	return &index{
		fees:      byID(o.FixedFees, func(v plan.FixedFee) uuid.UUID { return v.ID }),
		plans:     byID(o.Plans, func(v plan.TierPlan) uuid.UUID { return v.ID }),
		discounts: byID(o.Discounts, func(v modifier.Discount) uuid.UUID { return v.ID }),
		minimums:  byID(o.Minimums, func(v modifier.Minimum) uuid.UUID { return v.ID }),
		credits:   byID(o.Credits, func(v modifier.Credit) uuid.UUID { return v.ID }),
		freqs:     byID(o.BillingFrequencies, func(v schedule.BillingFrequency) uuid.UUID { return v.ID }),
		products:  byID(o.ProductContracts, func(v contract.ProductContract) uuid.UUID { return v.ID }),
		subs:      byID(o.SubContracts, func(v contract.SubContract) uuid.UUID { return v.ID }),
		parents:   byID(o.ParentContracts, func(v contract.ParentContract) uuid.UUID { return v.ID }),
	}
}

// builder resolves a tree, collecting every unknown reference.
type builder struct {
	ix       *index
	errs     []error
	visiting map[uuid.UUID]bool
	pricers  map[uuid.UUID]*plan.Pricer
	t        *tree
}

func (b *builder) unknown(path, what string, id uuid.UUID) {
	b.errs = append(b.errs, pricekit.Errorf(pricekit.ErrUnknownReference, "rating", path, fmt.Sprintf("no %s %s", what, id)))
}

func lookup[T any](b *builder, m map[uuid.UUID]T, path, what string, ids []uuid.UUID) []T {
	out := make([]T, 0, len(ids))
	for i, id := range ids {
		v, ok := m[id]
		if !ok {
			b.unknown(fmt.Sprintf("%s[%d]", path, i), what, id)
			continue
		}
		out = append(out, v)
	}
	return out
}

func (b *builder) frequency(path string, id uuid.UUID) *schedule.BillingFrequency {
	if id == uuid.Nil {
		return nil
	}
	f, ok := b.ix.freqs[id]
	if !ok {
		b.unknown(path+".billing_frequency", "billing frequency", id)
		return nil
	}
	return &f
}

// build resolves node s (at path) under a parent whose periods use anchor.
// overridden is true when an ancestor has override_underlying.
func (b *builder) build(path string, s contract.SubContract, anchor schedule.Anchor, overridden bool) (*node, error) {
	if b.visiting[s.ID] {
		return nil, pricekit.Errorf(pricekit.ErrCycle, "rating", path, fmt.Sprintf("contract %s contains itself", s.ID))
	}
	b.visiting[s.ID] = true
	defer delete(b.visiting, s.ID)

	n := &node{id: s.ID, dates: s.Dates, anchor: anchor}
	if !overridden {
		n.freq = b.frequency(path, s.BillingFrequency)
		if n.freq != nil {
			n.anchor = n.freq.Anchor
		}
		n.discounts = lookup(b, b.ix.discounts, path+".discounts", "discount", s.Discounts)
		n.minimums = lookup(b, b.ix.minimums, path+".minimums", "minimum", s.Minimums)
		n.credits = lookup(b, b.ix.credits, path+".credits", "credit", s.Credits)
	} else {
		// Still refuse references to nothing, though they do not apply.
		lookup(b, b.ix.discounts, path+".discounts", "discount", s.Discounts)
		lookup(b, b.ix.minimums, path+".minimums", "minimum", s.Minimums)
		lookup(b, b.ix.credits, path+".credits", "credit", s.Credits)
		b.frequency(path, s.BillingFrequency)
	}
	n.fees = lookup(b, b.ix.fees, path+".fixed_fees", "fixed fee", s.FixedFees)
	below := overridden || s.OverrideUnderlying
	for i, id := range s.ProductContracts {
		ppath := fmt.Sprintf("%s.product_contracts[%d]", path, i)
		pc, ok := b.ix.products[id]
		if !ok {
			b.unknown(ppath, "product contract", id)
			continue
		}
		p := &product{pc: pc}
		if !below {
			p.freq = b.frequency(ppath, pc.BillingFrequency)
		} else {
			b.frequency(ppath, pc.BillingFrequency)
		}
		pr, ok := b.pricers[pc.PlanID]
		if !ok {
			tp, found := b.ix.plans[pc.PlanID]
			if !found {
				b.unknown(ppath+".tiers", "tier plan", pc.PlanID)
				continue
			}
			var err error
			if pr, err = tp.Pricer(); err != nil {
				b.errs = append(b.errs, pricekit.Prefix(ppath+".tiers", err))
				continue
			}
			b.pricers[pc.PlanID] = pr
		}
		p.pricer = pr
		if existing, dup := b.t.byID[pc.ID]; dup {
			p.index = existing.index
		} else {
			p.index = len(b.t.products)
			b.t.products = append(b.t.products, p)
			b.t.byID[pc.ID] = p
		}
		n.products = append(n.products, p)
	}
	for i, id := range s.SubContracts {
		cpath := fmt.Sprintf("%s.sub_contracts[%d]", path, i)
		sub, ok := b.ix.subs[id]
		if !ok {
			b.unknown(cpath, "sub contract", id)
			continue
		}
		child, err := b.build(cpath, sub, n.anchor, below)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
	}
	return n, nil
}
