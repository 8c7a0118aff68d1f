package store

import (
	"bytes"
	"slices"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/contract"
)

// Graph shows a back end's contract trees as they are stored, before a
// save, to [CheckTrees].
type Graph struct {
	// Lists returns the sub contracts and product contracts a stored sub or
	// parent contract lists (nothing for another id).
	Lists func(id uuid.UUID) (subs, products []uuid.UUID)
	// Containers returns the stored sub and parent contracts that list id
	// among their sub contracts.
	Containers func(id uuid.UUID) []uuid.UUID
	// IsParent reports whether id is a stored parent contract.
	IsParent func(id uuid.UUID) bool
}

// CheckTrees checks every contract tree a save of b would leave: the tree
// of each parent contract b saves or reaches from below, and the subtree of
// each sub contract it saves, with [contract.CheckTree] — no cycle, no
// nesting deeper than [contract.MaxDepth], no contract twice in one tree.
// So an accepted save never leaves a parent contract that rating refuses.
// Back ends call it before writing, with the stored trees in g; it reads
// only the trees b touches.
func CheckTrees(b contract.Objects, g Graph) error {
	type lists struct{ subs, products []uuid.UUID }
	staged := map[uuid.UUID]lists{}
	parents := map[uuid.UUID]bool{}
	for _, s := range b.SubContracts {
		staged[s.ID] = lists{s.SubContracts, s.ProductContracts}
	}
	for _, p := range b.ParentContracts {
		staged[p.ID] = lists{p.SubContracts, p.ProductContracts}
		parents[p.ID] = true
	}
	children := func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
		if l, ok := staged[id]; ok {
			return l.subs, l.products
		}
		return g.Lists(id)
	}
	// Walk up from every saved contract to the parent contracts above it,
	// as the containment will be after the save.
	containers := func(id uuid.UUID) []uuid.UUID {
		var out []uuid.UUID
		for _, c := range g.Containers(id) {
			if _, ok := staged[c]; !ok {
				out = append(out, c)
			}
		}
		for c, l := range staged {
			for _, s := range l.subs {
				if s == id {
					out = append(out, c)
					break
				}
			}
		}
		return out
	}
	roots := map[uuid.UUID]bool{}
	seen := map[uuid.UUID]bool{}
	var up []uuid.UUID
	for id := range staged {
		up = append(up, id)
	}
	for len(up) > 0 {
		id := up[len(up)-1]
		up = up[:len(up)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		if parents[id] || g.IsParent(id) {
			roots[id] = true
		}
		up = append(up, containers(id)...)
	}
	for _, s := range b.SubContracts {
		if err := contract.CheckTree(s.ID, children); err != nil {
			return err
		}
	}
	ids := make([]uuid.UUID, 0, len(roots))
	for id := range roots {
		ids = append(ids, id)
	}
	// One tree at fault is enough to refuse; check them in a fixed order so
	// the same save always gets the same error.
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	for _, id := range ids {
		if err := contract.CheckTree(id, children); err != nil {
			return err
		}
	}
	return nil
}
