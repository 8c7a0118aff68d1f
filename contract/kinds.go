package contract

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/modifier"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/schedule"
)

// The registry of document kinds: the one place that knows, for each kind,
// its Go type, its list in a bundle, its id, how it is copied, validated
// and versioned. Everything that works on documents of every kind (a
// bundle's Len, Clone, Validate and JSON, the stores) loops over it, so a
// new kind is a type and one entry here.
var registry = []kindEntry{
	entry[Customer]{name: KindCustomer, singular: "customer",
		list: func(o *Objects) *[]Customer { return &o.Customers }, id: func(v *Customer) *uuid.UUID { return &v.ID },
		validate: Customer.Validate},
	entry[plan.FixedFee]{name: KindFixedFee, singular: "fixed fee",
		list: func(o *Objects) *[]plan.FixedFee { return &o.FixedFees }, id: func(v *plan.FixedFee) *uuid.UUID { return &v.ID },
		validate: plan.FixedFee.Validate, from: FeeFrom},
	entry[plan.TierPlan]{name: KindPlan, singular: "tier plan",
		list: func(o *Objects) *[]plan.TierPlan { return &o.Plans }, id: func(v *plan.TierPlan) *uuid.UUID { return &v.ID },
		validate: plan.TierPlan.Validate, clone: plan.TierPlan.Clone, from: PlanFrom},
	entry[modifier.Discount]{name: KindDiscount, singular: "discount",
		list: func(o *Objects) *[]modifier.Discount { return &o.Discounts }, id: func(v *modifier.Discount) *uuid.UUID { return &v.ID },
		validate: modifier.Discount.Validate, from: DiscountFrom},
	entry[modifier.Minimum]{name: KindMinimum, singular: "minimum",
		list: func(o *Objects) *[]modifier.Minimum { return &o.Minimums }, id: func(v *modifier.Minimum) *uuid.UUID { return &v.ID },
		validate: modifier.Minimum.Validate, from: MinimumFrom},
	entry[modifier.Maximum]{name: KindMaximum, singular: "maximum",
		list: func(o *Objects) *[]modifier.Maximum { return &o.Maximums }, id: func(v *modifier.Maximum) *uuid.UUID { return &v.ID },
		validate: modifier.Maximum.Validate, from: MaximumFrom},
	entry[modifier.Credit]{name: KindCredit, singular: "credit",
		list: func(o *Objects) *[]modifier.Credit { return &o.Credits }, id: func(v *modifier.Credit) *uuid.UUID { return &v.ID },
		validate: modifier.Credit.Validate},
	entry[schedule.BillingFrequency]{name: KindBillingFrequency, singular: "billing frequency",
		list: func(o *Objects) *[]schedule.BillingFrequency { return &o.BillingFrequencies },
		id:   func(v *schedule.BillingFrequency) *uuid.UUID { return &v.ID }, validate: schedule.BillingFrequency.Validate},
	entry[ProductContract]{name: KindProductContract, singular: "product contract",
		list: func(o *Objects) *[]ProductContract { return &o.ProductContracts },
		id:   func(v *ProductContract) *uuid.UUID { return &v.ID }, validate: ProductContract.Validate},
	entry[SubContract]{name: KindSubContract, singular: "sub contract",
		list: func(o *Objects) *[]SubContract { return &o.SubContracts }, id: func(v *SubContract) *uuid.UUID { return &v.ID },
		validate: SubContract.Validate, clone: SubContract.Clone},
	entry[ParentContract]{name: KindParentContract, singular: "parent contract",
		list: func(o *Objects) *[]ParentContract { return &o.ParentContracts },
		id:   func(v *ParentContract) *uuid.UUID { return &v.ID }, validate: ParentContract.Validate, clone: ParentContract.Clone},
}

// kindEntry is what the registry knows of one kind, for documents held as
// values of any type.
type kindEntry interface {
	kind() Kind
	name1() string
	versioned() bool
	length(o *Objects) int
	each(o *Objects, f func(i int, id uuid.UUID, doc any))
	fillIDs(o *Objects, newID func() uuid.UUID)
	add(o *Objects, doc any) bool
	copyInto(dst, src *Objects)
	validateAll(o *Objects, report func(i int, err error))
	decodeList(obj *jsonx.Object, o *Objects)
	decode(o *Objects, data []byte) error
	sets(o *Objects) []Set
	merge(stored, saved []any) []any
	appendAll(dst, src *Objects)
}

// entry is the registry entry of documents of type T.
type entry[T any] struct {
	name     Kind
	singular string
	list     func(*Objects) *[]T
	id       func(*T) *uuid.UUID
	validate func(T) error
	clone    func(T) T          // nil: a copy of the value shares nothing
	from     func(*T) date.Date // versioned kinds only
}

func (e entry[T]) kind() Kind            { return e.name }
func (e entry[T]) name1() string         { return e.singular }
func (e entry[T]) versioned() bool       { return e.from != nil }
func (e entry[T]) length(o *Objects) int { return len(*e.list(o)) }

func (e entry[T]) copyOf(v T) T {
	if e.clone != nil {
		return e.clone(v)
	}
	return v
}

func (e entry[T]) each(o *Objects, f func(int, uuid.UUID, any)) {
	l := *e.list(o)
	for i := range l {
		f(i, *e.id(&l[i]), l[i])
	}
}

func (e entry[T]) fillIDs(o *Objects, newID func() uuid.UUID) {
	l := *e.list(o)
	for i := range l {
		if id := e.id(&l[i]); *id == uuid.Nil {
			*id = newID()
		}
	}
}

func (e entry[T]) add(o *Objects, doc any) bool {
	v, ok := doc.(T)
	if ok {
		l := e.list(o)
		*l = append(*l, e.copyOf(v))
	}
	return ok
}

func (e entry[T]) copyInto(dst, src *Objects) {
	s := *e.list(src)
	if s == nil {
		return
	}
	d := make([]T, len(s))
	for i, v := range s {
		d[i] = e.copyOf(v)
	}
	*e.list(dst) = d
}

func (e entry[T]) appendAll(dst, src *Objects) {
	d, s := e.list(dst), *e.list(src)
	if len(*d) == 0 {
		*d = s // the source's to give away
		return
	}
	*d = append(*d, s...)
}

func (e entry[T]) validateAll(o *Objects, report func(int, error)) {
	for i, v := range *e.list(o) {
		report(i, e.validate(v))
	}
}

func (e entry[T]) decodeList(obj *jsonx.Object, o *Objects) {
	l := e.list(o)
	for i, raw := range obj.List(string(e.name)) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			var perr *pricekit.Error
			if !errors.As(err, &perr) && !isJoin(err) {
				err = pricekit.Errorf(pricekit.ErrInvalidInput, "contract", "", "malformed JSON")
			}
			obj.Add(fmt.Sprintf("%s[%d]", e.name, i), err)
			continue
		}
		*l = append(*l, v)
	}
}

func (e entry[T]) decode(o *Objects, data []byte) error {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	l := e.list(o)
	*l = append(*l, v)
	return nil
}

// sets groups the documents by id, in order of first appearance: for a
// versioned kind each group is a version set, otherwise the later
// document of an id replaces the earlier.
func (e entry[T]) sets(o *Objects) []Set {
	l := *e.list(o)
	var groups [][]T
	at := map[uuid.UUID]int{}
	for i := range l {
		k := *e.id(&l[i])
		j, ok := at[k]
		if !ok {
			j = len(groups)
			at[k] = j
			groups = append(groups, nil)
		}
		if e.from == nil {
			groups[j] = []T{l[i]}
			continue
		}
		groups[j] = append(groups[j], l[i])
	}
	out := make([]Set, len(groups))
	for i, g := range groups {
		if e.from != nil {
			g = VersionSet(g, e.from)
		}
		out[i] = Set{ID: *e.id(&g[0]), Docs: make([]any, len(g))}
		for k, v := range g {
			out[i].Docs[k] = e.copyOf(v)
		}
	}
	return out
}

func (e entry[T]) merge(stored, saved []any) []any {
	if e.from == nil {
		return saved
	}
	typed := func(vs []any) []T {
		out := make([]T, len(vs))
		for i, v := range vs {
			out[i] = v.(T)
		}
		return out
	}
	merged := MergeVersions(typed(stored), typed(saved), e.from)
	out := make([]any, len(merged))
	for i, v := range merged {
		out[i] = v
	}
	return out
}

// lookupKind returns the registry entry of kind k.
func lookupKind(k Kind) (kindEntry, bool) {
	for _, e := range registry {
		if e.kind() == k {
			return e, true
		}
	}
	return nil, false
}

// Singular names one document of kind k for people, such as "fixed fee".
func (k Kind) Singular() string {
	if e, ok := lookupKind(k); ok {
		return e.name1()
	}
	return string(k)
}

// KindOf returns the kind of a document held as a value of its type (a
// Customer, a plan.FixedFee, …), and false for anything else.
func KindOf(doc any) (Kind, bool) {
	var o Objects
	for _, e := range registry {
		if e.add(&o, doc) {
			return e.kind(), true
		}
	}
	return "", false
}

// Each calls f with every document of o, kind by kind in the order of
// [Kinds], each with its index in its kind's list and its id.
func (o Objects) Each(f func(k Kind, i int, id uuid.UUID, doc any)) {
	for _, e := range registry {
		e.each(&o, func(i int, id uuid.UUID, doc any) { f(e.kind(), i, id, doc) })
	}
}

// Add appends a copy of doc, a document of any kind held as a value of its
// type, to its kind's list; it reports false, and adds nothing, when doc
// is not a document.
func (o *Objects) Add(doc any) bool {
	for _, e := range registry {
		if e.add(o, doc) {
			return true
		}
	}
	return false
}

// Append appends the documents of p to o, kind by kind. Where o has none
// of a kind it takes p's list itself: p is the caller's to give away.
func (o *Objects) Append(p Objects) {
	for _, e := range registry {
		e.appendAll(o, &p)
	}
}

// Decode reads one document of kind k from its JSON and appends it.
func (o *Objects) Decode(k Kind, data []byte) error {
	e, ok := lookupKind(k)
	if !ok {
		return pricekit.Errorf(pricekit.ErrInvalidInput, "contract", "kind", fmt.Sprintf("unknown kind %q", k))
	}
	return e.decode(o, data)
}

// Set is the documents of one id in a bundle: a version set for a
// versioned kind, base first, then by day, and one document otherwise.
type Set struct {
	ID   uuid.UUID
	Docs []any
}

// Sets returns the documents of kind k grouped by id, in order of first
// appearance, each as a copy: for a versioned kind each group is the
// document's version set ([VersionSet]); for another kind it holds the
// last document of the id, which replaces the earlier ones.
func (o Objects) Sets(k Kind) []Set {
	if e, ok := lookupKind(k); ok {
		return e.sets(&o)
	}
	return nil
}

// Merge returns the versions of a document of kind k once the version set
// saved is saved over the stored one ([MergeVersions]); for a kind without
// versions, saved.
func (k Kind) Merge(stored, saved []any) []any {
	if e, ok := lookupKind(k); ok {
		return e.merge(stored, saved)
	}
	return saved
}
