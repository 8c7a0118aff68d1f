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
			out.Append(vs)
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
	// The ids below the sub contracts, by kind, as the levels are read.
	below := map[contract.Kind][]uuid.UUID{}
	collect := func(s contract.SubContract) []uuid.UUID {
		if s.BillingFrequency != uuid.Nil {
			below[contract.KindBillingFrequency] = append(below[contract.KindBillingFrequency], s.BillingFrequency)
		}
		for _, l := range s.Lists() {
			if l.Kind != contract.KindSubContract {
				below[l.Kind] = append(below[l.Kind], l.IDs...)
			}
		}
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
		out.Append(subs)
		for _, s := range subs.SubContracts {
			next = append(next, collect(s)...)
		}
	}
	if err := contract.CheckTree(parentID, children(out)); err != nil {
		return contract.Objects{}, err
	}
	if ids := fresh(below[contract.KindProductContract]); len(ids) > 0 {
		got, err := get(ctx, contract.KindProductContract, ids...)
		if err != nil {
			return contract.Objects{}, err
		}
		out.ProductContracts = got.ProductContracts
		for _, p := range got.ProductContracts {
			below[contract.KindPlan] = append(below[contract.KindPlan], p.PlanID)
			if p.BillingFrequency != uuid.Nil {
				below[contract.KindBillingFrequency] = append(below[contract.KindBillingFrequency], p.BillingFrequency)
			}
		}
	}
	for _, k := range contract.Kinds() {
		if k == contract.KindCustomer || k == contract.KindProductContract || k == contract.KindSubContract ||
			k == contract.KindParentContract {
			continue
		}
		ids := fresh(below[k])
		if len(ids) == 0 {
			continue
		}
		got, err := get(ctx, k, ids...)
		if err != nil {
			return contract.Objects{}, err
		}
		out.Append(got)
	}
	return out, nil
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
