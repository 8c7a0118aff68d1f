package store

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/contract"
)

// TreeReader reads the tree of a parent contract as one consistent
// snapshot of the store: every document as it stood at one moment, so a
// rating running while a plan and a fee are saved together sees both old or
// both new. A versioned document comes with every version it has. Both back ends provide it; [Resolve] uses it.
type TreeReader interface {
	Tree(ctx context.Context, org, parentID uuid.UUID) (contract.Objects, error)
}

// Resolve reads the tree of a parent contract: the parent and every
// document reachable from it, each once, as a bundle ready for rating. An
// id that is not a parent contract is ErrNotFound; a cycle is ErrCycle; a
// tree deeper than contract.MaxDepth or holding a contract twice is
// ErrInvalidInput. When r is a [TreeReader] the tree is one consistent
// snapshot; otherwise it is read one Get at a time.
func Resolve(ctx context.Context, r Reader, org, parentID uuid.UUID) (contract.Objects, error) {
	if tr, ok := r.(TreeReader); ok {
		return tr.Tree(ctx, org, parentID)
	}
	return WalkTree(ctx, func(ctx context.Context, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error) {
		if !kind.Versioned() {
			return r.Get(ctx, org, kind, ids...)
		}
		var out contract.Objects
		for _, id := range ids {
			vs, err := r.Versions(ctx, org, kind, id)
			if err != nil {
				return contract.Objects{}, err
			}
			out.Plans = append(out.Plans, vs.Plans...)
			out.FixedFees = append(out.FixedFees, vs.FixedFees...)
			out.Discounts = append(out.Discounts, vs.Discounts...)
			out.Minimums = append(out.Minimums, vs.Minimums...)
		}
		return out, nil
	}, parentID)
}

// Getter reads documents of one kind by id, in the order asked, as
// [Reader.Get] does for one organization, except that a versioned document
// comes with every version it has, base first, then by day.
type Getter func(ctx context.Context, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error)

// WalkTree reads the tree of parent contract parentID through get, one read
// per level of sub contracts and one per kind below them, each document
// once. Back ends call it with a get that reads from one snapshot to
// implement [TreeReader].
func WalkTree(ctx context.Context, get Getter, parentID uuid.UUID) (contract.Objects, error) {
	root, err := get(ctx, contract.KindParentContract, parentID)
	if err != nil {
		return contract.Objects{}, err
	}
	out := contract.Objects{ParentContracts: root.ParentContracts}
	var seen idSet
	seen.add(parentID)
	fresh := func(ids []uuid.UUID) []uuid.UUID {
		var out []uuid.UUID
		for _, id := range ids {
			if seen.add(id) {
				out = append(out, id)
			}
		}
		return out
	}
	var plans, fees, discounts, minimums, credits, freqs, products []uuid.UUID
	collect := func(s contract.SubContract) []uuid.UUID {
		if s.BillingFrequency != uuid.Nil {
			freqs = append(freqs, s.BillingFrequency)
		}
		products = append(products, s.ProductContracts...)
		fees = append(fees, s.FixedFees...)
		discounts = append(discounts, s.Discounts...)
		minimums = append(minimums, s.Minimums...)
		credits = append(credits, s.Credits...)
		return s.SubContracts
	}
	next := collect(root.ParentContracts[0].SubContract)
	for level := 1; len(next) > 0; level++ {
		ids := fresh(next)
		next = nil
		if len(ids) == 0 {
			break
		}
		if level > contract.MaxDepth {
			// Deeper than any save accepts; stop reading, and let the check
			// below say what is wrong (a cycle, or the depth).
			break
		}
		subs, err := get(ctx, contract.KindSubContract, ids...)
		if err != nil {
			return contract.Objects{}, err
		}
		out.SubContracts = join(out.SubContracts, subs.SubContracts)
		for _, s := range subs.SubContracts {
			next = append(next, collect(s)...)
		}
	}
	if err := contract.CheckTree(parentID, children(out)); err != nil {
		return contract.Objects{}, err
	}
	if ids := fresh(products); len(ids) > 0 {
		got, err := get(ctx, contract.KindProductContract, ids...)
		if err != nil {
			return contract.Objects{}, err
		}
		out.ProductContracts = got.ProductContracts
		for _, p := range got.ProductContracts {
			plans = append(plans, p.PlanID)
			if p.BillingFrequency != uuid.Nil {
				freqs = append(freqs, p.BillingFrequency)
			}
		}
	}
	for _, k := range []struct {
		kind contract.Kind
		ids  []uuid.UUID
	}{
		{contract.KindPlan, plans}, {contract.KindFixedFee, fees}, {contract.KindDiscount, discounts},
		{contract.KindMinimum, minimums}, {contract.KindCredit, credits}, {contract.KindBillingFrequency, freqs},
	} {
		ids := fresh(k.ids)
		if len(ids) == 0 {
			continue
		}
		got, err := get(ctx, k.kind, ids...)
		if err != nil {
			return contract.Objects{}, err
		}
		out.Plans = join(out.Plans, got.Plans)
		out.FixedFees = join(out.FixedFees, got.FixedFees)
		out.Discounts = join(out.Discounts, got.Discounts)
		out.Minimums = join(out.Minimums, got.Minimums)
		out.Credits = join(out.Credits, got.Credits)
		out.BillingFrequencies = join(out.BillingFrequencies, got.BillingFrequencies)
	}
	return out, nil
}

// join appends b to a, taking b itself when a is empty: a getter's
// answer is the caller's to keep.
func join[T any](a, b []T) []T {
	if len(a) == 0 {
		return b
	}
	return append(a, b...)
}

// idSet is a set of ids: a slice while it is small (most trees), a map
// when it grows.
type idSet struct {
	few  []uuid.UUID
	many map[uuid.UUID]bool
}

// add adds id and reports whether it was not there yet.
func (s *idSet) add(id uuid.UUID) bool {
	if s.many != nil {
		if s.many[id] {
			return false
		}
		s.many[id] = true
		return true
	}
	if slices.Contains(s.few, id) {
		return false
	}
	if s.few == nil {
		s.few = make([]uuid.UUID, 0, 32)
	}
	if len(s.few) < 32 {
		s.few = append(s.few, id)
		return true
	}
	s.many = make(map[uuid.UUID]bool, 2*len(s.few))
	for _, x := range s.few {
		s.many[x] = true
	}
	s.many[id] = true
	return true
}

// children returns the sub and product contracts of each contract of
// tree o, for contract.CheckTree: found by a scan when the tree is small,
// by a map otherwise.
func children(o contract.Objects) func(uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
	parent := o.ParentContracts[0]
	if len(o.SubContracts) <= 16 {
		return func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
			if id == parent.ID {
				return parent.SubContracts, parent.ProductContracts
			}
			for i := range o.SubContracts {
				if s := &o.SubContracts[i]; s.ID == id {
					return s.SubContracts, s.ProductContracts
				}
			}
			return nil, nil
		}
	}
	m := make(map[uuid.UUID]*contract.SubContract, len(o.SubContracts)+1)
	m[parent.ID] = &parent.SubContract
	for i := range o.SubContracts {
		m[o.SubContracts[i].ID] = &o.SubContracts[i]
	}
	return func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
		if s := m[id]; s != nil {
			return s.SubContracts, s.ProductContracts
		}
		return nil, nil
	}
}
