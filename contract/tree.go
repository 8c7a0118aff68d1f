package contract

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
)

// MaxDepth is how deep a contract tree may nest sub contracts: a parent
// contract is level 0, its sub contracts level 1, and so on to level 100.
const MaxDepth = 100

// CheckTree checks the tree beneath root, where children returns the sub
// contracts and product contracts a contract lists: no contract contains
// itself (cycle), none is nested more than [MaxDepth] levels deep, and no
// sub or product contract appears twice in the tree (invalid_input: it
// would be billed twice, and its lines could not be told apart). It walks
// the tree with its own stack and visits each contract once, so it is
// linear in the size of the tree, and its errors name the contracts at
// fault, not every level above them.
func CheckTree(root uuid.UUID, children func(uuid.UUID) (subs, products []uuid.UUID)) error {
	type frame struct {
		id   uuid.UUID
		kids []uuid.UUID
		next int
	}
	onPath := map[uuid.UUID]int{root: 0} // depth of each contract on the current path
	seen := map[uuid.UUID]bool{root: true}
	var deep error // the first contract too deep; a cycle or a repeat found later is reported first
	visit := func(id uuid.UUID) ([]uuid.UUID, error) {
		subs, products := children(id)
		for _, p := range products {
			if seen[p] {
				return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "contract", "product_contracts",
					fmt.Sprintf("product contract %s appears twice in the tree of %s: its usage would be billed twice", p, root))
			}
			seen[p] = true
		}
		return subs, nil
	}
	kids, err := visit(root)
	if err != nil {
		return err
	}
	stack := []frame{{id: root, kids: kids}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == len(top.kids) {
			delete(onPath, top.id)
			stack = stack[:len(stack)-1]
			continue
		}
		c := top.kids[top.next]
		top.next++
		if d, ok := onPath[c]; ok {
			loop := make([]uuid.UUID, 0, len(stack)-d+1)
			for _, f := range stack[d:] {
				loop = append(loop, f.id)
			}
			return cycleError(append(loop, c))
		}
		if seen[c] {
			return pricekit.Errorf(pricekit.ErrInvalidInput, "contract", "sub_contracts",
				fmt.Sprintf("contract %s appears twice in the tree of %s: it would be billed twice", c, root))
		}
		if len(stack) > MaxDepth && deep == nil {
			deep = pricekit.Errorf(pricekit.ErrInvalidInput, "contract", "sub_contracts",
				fmt.Sprintf("sub contract %s is nested deeper than %d levels below %s", c, MaxDepth, root))
		}
		seen[c] = true
		onPath[c] = len(stack)
		kids, err := visit(c)
		if err != nil {
			return err
		}
		stack = append(stack, frame{id: c, kids: kids})
	}
	return deep
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
	return pricekit.Errorf(pricekit.ErrCycle, "contract", "sub_contracts", msg)
}
