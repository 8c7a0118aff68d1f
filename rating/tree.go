package rating

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/usage"
)

// node is one contract of the tree being rated, the parent or a sub
// contract, with everything it references resolved and its effective dates
// worked out.
type node struct {
	id       uuid.UUID
	parent   *node
	at       string // its path step below its parent, such as "sub_contracts[2]"
	ownStart date.Date
	// start and end (exclusive; 0: evergreen) are its effective dates: its
	// own clipped to its parent's (docs/periods.md). active is false when nothing of
	// them is left.
	start, end date.Date
	active     bool
	grid       schedule.Grid   // its periods, before clipping: its own frequency's or its parent's
	anchor     schedule.Anchor // where its fixed fees land
	products   []*product
	fees       [][]plan.FixedFee // each fee's versions (docs/versions.md)
	children   []*node
	discounts  [][]modifier.Discount // each one's versions; empty when an ancestor overrides
	minimums   [][]modifier.Minimum
	maximums   [][]modifier.Maximum
	credits    []*grant // in burn order
	open       []*periodState
	closed     int              // the last period whose last slice is done
	windows    []*term          // the term commitments' windows under way
	terms      []schedule.Every // the windows of its term commitments, each once (docs/modifiers.md)
}

// modified reports whether any modifier applies to n.
func (n *node) modified() bool {
	return len(n.discounts) > 0 || len(n.minimums) > 0 || len(n.maximums) > 0 || len(n.credits) > 0
}

// period returns n's period k, clipped to its effective dates.
func (n *node) period(k int) (schedule.Period, bool) { return n.grid.Period(k, n.start, n.end) }

// last returns n's last effective day + 1 bound to limit: the end of the
// days n can bill before limit.
func bound(end, limit date.Date) date.Date {
	if end == 0 || end > limit {
		return limit
	}
	return end
}

// path writes n's field path for an error, such as
// "parent_contracts.sub_contracts[0]".
func (n *node) path() string {
	var steps []string
	for m := n; m != nil; m = m.parent {
		steps = append(steps, m.at)
	}
	slices.Reverse(steps)
	return strings.Join(steps, ".")
}

// product is a product contract of the tree.
type product struct {
	pc         contract.ProductContract
	plans      []version  // its plan's versions, base first, then by day
	want       usage.Want // what the versions' aggregations read
	charged    bool       // a version prices by percentage (usage.Request.Charge)
	grid       schedule.Grid
	start, end date.Date // effective: its own dates clipped to its node's
	active     bool      // its node is active and its effective dates hold a day
	index      int       // dense index of the tree's product contracts
	// The last period of the grid computed: rating asks for the same few
	// periods of a product many times, and each costs calendar math.
	memoK  int
	memoLo date.Date
	memoHi date.Date
	memoOK bool
}

// version is one version of a product's tier plan, compiled.
type version struct {
	from   date.Date // 0: the base version
	pricer *plan.Pricer
}

// pricer returns the version of p's plan that prices its period starting
// on day (docs/versions.md).
func (p *product) pricer(day date.Date) *version {
	return contract.At(p.plans, func(v *version) date.Date { return v.from }, day)
}

// remember computes and keeps the boundaries of grid period k.
func (p *product) remember(k int) {
	if !p.memoOK || p.memoK != k {
		p.memoK, p.memoLo, p.memoHi, p.memoOK = k, p.grid.Boundary(k), p.grid.Boundary(k+1), true
	}
}

// indexOf returns the index of p's grid period that holds day.
func (p *product) indexOf(day date.Date) int {
	if p.memoOK && p.memoLo <= day && day < p.memoHi {
		return p.memoK
	}
	k := p.grid.Index(day)
	p.remember(k)
	return k
}

// period returns p's period k, clipped to its effective dates.
func (p *product) period(k int) (schedule.Period, bool) {
	p.remember(k)
	return schedule.Cut(p.memoLo, p.memoHi, p.start, p.end)
}

// tree is a resolved parent contract.
type tree struct {
	root     *node
	parent   contract.ParentContract
	loc      *time.Location
	currency contract.Currency
	places   int32
	products []*product             // by dense index
	byID     map[uuid.UUID]*product // built when events are accepted
	nodes    []*node                // every node, children before their parent
	// replays: a node with modifiers has periods of its own or a term
	// commitment, the only state besides credits that carries across a
	// statement's first day (see replayFrom); recurring: a node has a
	// recurring credit, whose grants the open statement replays from the
	// first (see issuance.seed).
	replays, recurring bool
}

// index holds a bundle's documents by id.
type index struct {
	fees      table[plan.FixedFee]
	plans     table[plan.TierPlan]
	discounts table[modifier.Discount]
	minimums  table[modifier.Minimum]
	maximums  table[modifier.Maximum]
	credits   table[modifier.Credit]
	freqs     table[schedule.BillingFrequency]
	products  table[contract.ProductContract]
	subs      table[contract.SubContract]
	parents   table[contract.ParentContract]
}

// table finds the documents of one kind by id: by a scan while they are
// few (a tree's own documents, as a store hands them over, cost no map),
// through a map built on first use when they are many. A later document
// with the same id replaces an earlier one; for a versioned kind, the
// documents of one id are its versions (docs/versions.md).
type table[T any] struct {
	items []T
	id    func(*T) uuid.UUID
	from  func(*T) date.Date // versioned kinds only
	m     map[uuid.UUID][]int
}

// scanned is the most documents of a kind a table finds by scanning.
const scanned = 16

func (t *table[T]) get(id uuid.UUID) (T, bool) {
	if len(t.items) <= scanned {
		for i := len(t.items) - 1; i >= 0; i-- {
			if t.id(&t.items[i]) == id {
				return t.items[i], true
			}
		}
		var zero T
		return zero, false
	}
	at := t.index(id)
	if len(at) == 0 {
		var zero T
		return zero, false
	}
	return t.items[at[len(at)-1]], true
}

// index returns the positions of the documents with id, through the map.
func (t *table[T]) index(id uuid.UUID) []int {
	if t.m == nil {
		t.m = make(map[uuid.UUID][]int, len(t.items))
		for i := range t.items {
			k := t.id(&t.items[i])
			t.m[k] = append(t.m[k], i)
		}
	}
	return t.m[id]
}

// versions returns the version set of the document with id (nil when
// there is none): one document, unless the bundle holds several with id.
func (t *table[T]) versions(id uuid.UUID) []T {
	var out []T
	if len(t.items) <= scanned {
		for i := range t.items {
			if t.id(&t.items[i]) == id {
				out = append(out, t.items[i])
			}
		}
	} else {
		for _, i := range t.index(id) {
			out = append(out, t.items[i])
		}
	}
	return contract.VersionSet(out, t.from)
}

func newIndex(o contract.Objects) *index {
	return &index{
		fees: table[plan.FixedFee]{items: o.FixedFees, id: func(v *plan.FixedFee) uuid.UUID { return v.ID },
			from: contract.FeeFrom},
		plans: table[plan.TierPlan]{items: o.Plans, id: func(v *plan.TierPlan) uuid.UUID { return v.ID },
			from: contract.PlanFrom},
		discounts: table[modifier.Discount]{items: o.Discounts, id: func(v *modifier.Discount) uuid.UUID { return v.ID },
			from: contract.DiscountFrom},
		minimums: table[modifier.Minimum]{items: o.Minimums, id: func(v *modifier.Minimum) uuid.UUID { return v.ID },
			from: contract.MinimumFrom},
		maximums: table[modifier.Maximum]{items: o.Maximums, id: func(v *modifier.Maximum) uuid.UUID { return v.ID },
			from: contract.MaximumFrom},
		credits: table[modifier.Credit]{items: o.Credits, id: func(v *modifier.Credit) uuid.UUID { return v.ID }},
		freqs: table[schedule.BillingFrequency]{items: o.BillingFrequencies,
			id: func(v *schedule.BillingFrequency) uuid.UUID { return v.ID }},
		products: table[contract.ProductContract]{items: o.ProductContracts,
			id: func(v *contract.ProductContract) uuid.UUID { return v.ID }},
		subs:    table[contract.SubContract]{items: o.SubContracts, id: func(v *contract.SubContract) uuid.UUID { return v.ID }},
		parents: table[contract.ParentContract]{items: o.ParentContracts, id: func(v *contract.ParentContract) uuid.UUID { return v.ID }},
	}
}

// builder resolves a tree, collecting every unknown reference. It visits
// each document of the tree once, so resolving is linear in its size.
type builder struct {
	ix      *index
	errs    []error
	pricers []pricer // the tree's plans, each compiled once
	slab    []product
	t       *tree
}

func (b *builder) fail(code pricekit.Code, path, format string, args ...any) {
	b.errs = append(b.errs, pricekit.Errorf(code, "rating", path, fmt.Sprintf(format, args...)))
}

// pricer is a plan's compiled form: every version of it.
type pricer struct {
	plan     uuid.UUID
	versions []version
	want     usage.Want
}

func lookup[T any](b *builder, m *table[T], n *node, field, what string, ids []uuid.UUID) []T {
	if len(ids) == 0 {
		return nil
	}
	out := make([]T, 0, len(ids))
	for i, id := range ids {
		v, ok := m.get(id)
		if !ok {
			b.fail(pricekit.ErrUnknownReference, n.path()+"."+field+"["+strconv.Itoa(i)+"]", "no %s %s", what, id)
			continue
		}
		out = append(out, v)
	}
	return out
}

// lookupVersions is lookup for a versioned kind: each document found with
// its versions.
func lookupVersions[T any](b *builder, m *table[T], n *node, field, what string, ids []uuid.UUID) [][]T {
	if len(ids) == 0 {
		return nil
	}
	out := make([][]T, 0, len(ids))
	for i, id := range ids {
		vs := m.versions(id)
		if len(vs) == 0 {
			b.fail(pricekit.ErrUnknownReference, n.path()+"."+field+"["+strconv.Itoa(i)+"]", "no %s %s", what, id)
			continue
		}
		out = append(out, vs)
	}
	return out
}

func (b *builder) frequency(path string, id uuid.UUID) (schedule.BillingFrequency, bool) {
	if id == uuid.Nil {
		return schedule.BillingFrequency{}, false
	}
	f, ok := b.ix.freqs.get(id)
	if !ok {
		b.fail(pricekit.ErrUnknownReference, path+".billing_frequency", "no billing frequency %s", id)
	}
	return f, ok
}

// resolve builds the tree of parent contract id from a bundle.
func resolve(o contract.Objects, id uuid.UUID) (*tree, error) {
	ix := newIndex(o)
	parent, ok := ix.parents.get(id)
	if !ok {
		return nil, pricekit.Errorf(pricekit.ErrNotFound, "rating", "contract_id", fmt.Sprintf("no parent contract %s", id))
	}
	loc, err := parent.Location()
	if err != nil {
		return nil, err
	}
	t := &tree{parent: parent, loc: loc, currency: contract.Currency(parent.Currency.Code()), places: parent.Currency.MinorUnit()}
	// One walk refuses cycles, trees nested too deep and a contract placed
	// twice, so building below can recurse safely and meets each contract
	// once.
	if err := contract.CheckTree(parent.ID, func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
		if id == parent.ID {
			return parent.SubContracts, parent.ProductContracts
		}
		s, _ := ix.subs.get(id)
		return s.SubContracts, s.ProductContracts
	}); err != nil {
		return nil, err
	}
	b := &builder{ix: ix, t: t}
	root := &node{id: parent.ID, at: "parent_contracts", ownStart: parent.Start, start: parent.Start,
		end: parent.EndExclusive(), active: true, anchor: schedule.AnchorStart, closed: math.MinInt}
	freq, own := b.frequency(root.at, parent.BillingFrequency)
	if !own {
		freq = schedule.Monthly()
	}
	root.grid, root.anchor = freq.Grid(parent.Start), freq.Anchor
	b.build(root, parent.SubContract, false)
	if len(b.errs) > 0 {
		return nil, joinErrors(b.errs)
	}
	t.root = root
	for _, n := range t.nodes {
		if !n.active {
			continue
		}
		t.replays = t.replays || n.modified() && (n.grid != root.grid || len(n.terms) > 0)
		for _, g := range n.credits {
			t.recurring = t.recurring || g.recurs()
		}
	}
	return t, nil
}

// build fills node n from document s. overridden is true when an ancestor
// has override_underlying.
func (b *builder) build(n *node, s contract.SubContract, overridden bool) {
	if !overridden {
		n.discounts = lookupVersions(b, &b.ix.discounts, n, "discounts", "discount", s.Discounts)
		n.minimums = lookupVersions(b, &b.ix.minimums, n, "minimums", "minimum", s.Minimums)
		n.maximums = lookupVersions(b, &b.ix.maximums, n, "maximums", "maximum", s.Maximums)
		for _, vs := range n.minimums {
			for _, m := range vs {
				if !m.Period.IsZero() && !slices.Contains(n.terms, m.Period) {
					n.terms = append(n.terms, m.Period)
				}
			}
		}
		for _, c := range lookup(b, &b.ix.credits, n, "credits", "credit", s.Credits) {
			n.credits = append(n.credits, newGrant(c, n.start, n.end, b.t.places))
		}
		sortGrants(n.credits)
	} else {
		// Still refuse references to nothing, though they do not apply.
		lookup(b, &b.ix.discounts, n, "discounts", "discount", s.Discounts)
		lookup(b, &b.ix.minimums, n, "minimums", "minimum", s.Minimums)
		lookup(b, &b.ix.maximums, n, "maximums", "maximum", s.Maximums)
		lookup(b, &b.ix.credits, n, "credits", "credit", s.Credits)
	}
	n.fees = lookupVersions(b, &b.ix.fees, n, "fixed_fees", "fixed fee", s.FixedFees)
	below := overridden || s.OverrideUnderlying
	for i, id := range s.ProductContracts {
		b.product(n, i, id, below)
	}
	for i, id := range s.SubContracts {
		at := "sub_contracts[" + strconv.Itoa(i) + "]"
		sub, ok := b.ix.subs.get(id)
		if !ok {
			b.fail(pricekit.ErrUnknownReference, n.path()+"."+at, "no sub contract %s", id)
			continue
		}
		child := &node{id: id, parent: n, at: at, ownStart: sub.Start, grid: n.grid, anchor: n.anchor, closed: math.MinInt}
		child.start, child.end = clip(sub.Dates, n.start, n.end)
		child.active = n.active && (child.end == 0 || child.start < child.end)
		if f, ok := b.frequency(child.path(), sub.BillingFrequency); ok && !below {
			child.grid, child.anchor = f.Grid(sub.Start), f.Anchor
		}
		b.build(child, sub, below)
		n.children = append(n.children, child)
	}
	b.t.nodes = append(b.t.nodes, n)
}

// product adds product contract id, item i of n's product_contracts.
func (b *builder) product(n *node, i int, id uuid.UUID, below bool) {
	// The field path is written only for a refusal.
	path := func() string { return n.path() + ".product_contracts[" + strconv.Itoa(i) + "]" }
	pc, ok := b.ix.products.get(id)
	if !ok {
		b.fail(pricekit.ErrUnknownReference, path(), "no product contract %s", id)
		return
	}
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]product, 0, 8) // products come in few allocations
	}
	b.slab = append(b.slab, product{pc: pc, grid: n.grid})
	p := &b.slab[len(b.slab)-1]
	p.start, p.end = clip(pc.Dates, n.start, n.end)
	if pc.BillingFrequency != uuid.Nil {
		if f, ok := b.frequency(path(), pc.BillingFrequency); ok && !below {
			p.grid = f.Grid(pc.Start)
		}
	}
	var pr *pricer
	for i := range b.pricers {
		if b.pricers[i].plan == pc.PlanID {
			pr = &b.pricers[i]
		}
	}
	if pr == nil {
		tps := b.ix.plans.versions(pc.PlanID)
		if len(tps) == 0 {
			b.fail(pricekit.ErrUnknownReference, path()+".tiers", "no tier plan %s", pc.PlanID)
			return
		}
		c := pricer{plan: pc.PlanID, versions: make([]version, len(tps))}
		for i, tp := range tps {
			compiled, err := tp.Pricer()
			if err != nil {
				b.errs = append(b.errs, pricekit.Prefix(path()+".tiers", err))
				return
			}
			c.versions[i] = version{from: tp.EffectiveFrom, pricer: compiled}
			c.want |= wants(compiled.Aggregation())
		}
		b.pricers = append(b.pricers, c)
		pr = &b.pricers[len(b.pricers)-1]
	}
	p.plans, p.want = pr.versions, pr.want
	for _, v := range p.plans {
		p.charged = p.charged || v.pricer.Charge() != nil
	}
	p.index = len(b.t.products)
	b.t.products = append(b.t.products, p)
	if p.active = n.active && (p.end == 0 || p.start < p.end); p.active {
		n.products = append(n.products, p)
	}
}

// clip returns dates d clipped to [start, end) (end exclusive, 0: none),
// as a start and an exclusive end.
func clip(d contract.Dates, start, end date.Date) (date.Date, date.Date) {
	s, e := max(d.Start, start), d.EndExclusive()
	switch {
	case e == 0:
		e = end
	case end != 0:
		e = min(e, end)
	}
	if e != 0 && e < s {
		e = s
	}
	return s, e
}
