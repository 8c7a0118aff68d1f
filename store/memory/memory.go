package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/plan"
	"github.com/pricekit/pricekit/store"
)

// Store is the in-memory back end. The zero Store is not usable; call [New].
//
// A Store is safe for concurrent use: mu guards every tenant and all that
// they hold. Values are copied in and out, so a caller can never change
// stored state through a value it passed or got.
type Store struct {
	newID func() uuid.UUID

	mu      sync.RWMutex
	tenants map[uuid.UUID]*tenant
}

var (
	_ store.Store      = (*Store)(nil)
	_ store.TreeReader = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store)

// WithIDs sets the generator of ids for documents saved without one
// (default: time-ordered UUIDv7).
func WithIDs(newID func() uuid.UUID) Option { return func(s *Store) { s.newID = newID } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{newID: newV7, tenants: map[uuid.UUID]*tenant{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newV7() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// doc is one stored document.
type doc struct {
	kind    contract.Kind
	value   any // a value type of the kind, never shared with a caller: its latest version
	version int64
	// versions holds every version of a versioned document, base first,
	// then by day (value is the last); nil for other kinds.
	versions []any
}

// tenant holds one organization's documents and usage.
type tenant struct {
	issued map[uuid.UUID][]store.Issued // by parent contract, by number
	docs   map[uuid.UUID]*doc
	order  map[contract.Kind][]uuid.UUID // ids by first save
	usage  usageLog
}

func (s *Store) tenant(org uuid.UUID, create bool) *tenant {
	t := s.tenants[org]
	if t == nil && create {
		t = &tenant{docs: map[uuid.UUID]*doc{}, order: map[contract.Kind][]uuid.UUID{}}
		t.usage.init()
		s.tenants[org] = t
	}
	return t
}

// Save implements [store.Saver].
func (s *Store) Save(ctx context.Context, org uuid.UUID, b store.Batch) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	if b.Len() == 0 {
		return contract.Objects{}, pricekit.Errorf(pricekit.ErrMissingInput, "store", "", "nothing to save")
	}
	objs := b.Objects.Clone()
	if err := objs.Validate(); err != nil {
		return contract.Objects{}, err
	}
	if err := store.ClaimOrganization(&objs, org); err != nil {
		return contract.Objects{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenant(org, true)
	objs.IDs(s.newID)
	for id, want := range b.IfVersion {
		var have int64
		if d := t.docs[id]; d != nil {
			have = d.version
		}
		if have != want {
			return contract.Objects{}, pricekit.Errorf(pricekit.ErrConflict, "store", id.String(),
				fmt.Sprintf("stored at version %d, not %d", have, want))
		}
	}
	staged, err := stage(objs)
	if err != nil {
		return contract.Objects{}, err
	}
	kindOf := func(id uuid.UUID) (contract.Kind, bool) {
		if d := t.docs[id]; d != nil {
			return d.kind, true
		}
		return "", false
	}
	if err := store.CheckKinds(objs, kindOf); err != nil {
		return contract.Objects{}, err
	}
	if err := store.CheckReferences(objs, kindOf); err != nil {
		return contract.Objects{}, err
	}
	if err := store.CheckTrees(objs, t.graph()); err != nil {
		return contract.Objects{}, err
	}
	if err := store.CheckIssuedParents(objs, func(id uuid.UUID) (contract.ParentContract, bool) {
		d := t.docs[id]
		if d == nil || len(t.issued[id]) == 0 {
			return contract.ParentContract{}, false
		}
		p, _ := d.value.(contract.ParentContract)
		return p, true
	}); err != nil {
		return contract.Objects{}, err
	}
	// A fee's versions, stored and saved, share its period.
	for i, f := range objs.FixedFees {
		old := t.docs[f.ID]
		if old == nil || old.kind != contract.KindFixedFee {
			continue
		}
		merged := contract.KindFixedFee.Merge(old.all(), staged[f.ID].versions)
		fees := make([]plan.FixedFee, len(merged))
		for k, v := range merged {
			fees[k] = v.(plan.FixedFee)
		}
		if err := contract.CheckFeeVersions(fees, fmt.Sprintf("fixed_fees[%d]", i)); err != nil {
			return contract.Objects{}, err
		}
	}
	// Give back what was stored: each document once, the later of two
	// with one id, in batch order.
	var out contract.Objects
	for _, kind := range contract.Kinds() {
		for _, id := range stagedOrder(objs, kind) {
			d := staged[id]
			for _, v := range d.all() {
				appendDoc(&out, v)
			}
			if old := t.docs[id]; old != nil {
				if d.versions != nil {
					d.versions = kind.Merge(old.versions, d.versions)
					d.value = d.versions[len(d.versions)-1]
				}
				old.value, old.versions, old.version = d.value, d.versions, old.version+1
				continue
			}
			d.version = 1
			t.docs[id] = d
			t.order[kind] = append(t.order[kind], id)
		}
	}
	t.usage.invalidate()
	return out, nil
}

// stage turns a batch into documents by id: a later document with the
// same id replaces an earlier one, and the documents of one id of a
// versioned kind are its version set, the latest its value. One id cannot
// name documents of two kinds.
func stage(o contract.Objects) (map[uuid.UUID]*doc, error) {
	m := map[uuid.UUID]*doc{}
	var errs []error
	o.Each(func(kind contract.Kind, i int, id uuid.UUID, _ any) {
		if d := m[id]; d != nil && d.kind != kind {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "store", fmt.Sprintf("%s[%d].id", kind, i),
				fmt.Sprintf("id %s is already a %s in this batch", id, d.kind.Singular())))
			return
		}
		m[id] = &doc{kind: kind}
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, kind := range contract.Kinds() {
		for _, set := range o.Sets(kind) {
			d := m[set.ID]
			d.value = set.Docs[len(set.Docs)-1]
			if kind.Versioned() {
				d.versions = set.Docs
			}
		}
	}
	return m, nil
}

// all returns every version of d (itself when it has no versions).
func (d *doc) all() []any {
	if d.versions != nil {
		return d.versions
	}
	return []any{d.value}
}

// stagedOrder lists the ids of one kind in batch order, each once.
func stagedOrder(o contract.Objects, kind contract.Kind) []uuid.UUID {
	ids := o.IDsOf(kind)
	seen := map[uuid.UUID]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// graph shows t's stored contract trees to [store.CheckTrees]. The
// containers of a contract are found by one pass over t's contracts, made
// only when asked for.
func (t *tenant) graph() store.Graph {
	var containers map[uuid.UUID][]uuid.UUID
	return store.Graph{
		Lists: func(id uuid.UUID) ([]uuid.UUID, []uuid.UUID) {
			if d := t.docs[id]; d != nil {
				return lists(d.value)
			}
			return nil, nil
		},
		Containers: func(id uuid.UUID) []uuid.UUID {
			if containers == nil {
				containers = map[uuid.UUID][]uuid.UUID{}
				for _, k := range []contract.Kind{contract.KindSubContract, contract.KindParentContract} {
					for _, c := range t.order[k] {
						subs, _ := lists(t.docs[c].value)
						for _, sub := range subs {
							containers[sub] = append(containers[sub], c)
						}
					}
				}
			}
			return containers[id]
		},
		IsParent: func(id uuid.UUID) bool {
			d := t.docs[id]
			return d != nil && d.kind == contract.KindParentContract
		},
	}
}

// lists returns what a stored sub or parent contract lists.
func lists(v any) (subs, products []uuid.UUID) {
	switch c := v.(type) {
	case contract.SubContract:
		return c.SubContracts, c.ProductContracts
	case contract.ParentContract:
		return c.SubContracts, c.ProductContracts
	}
	return nil, nil
}

// Get implements [store.Reader].
func (s *Store) Get(ctx context.Context, org uuid.UUID, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tenant(org, false).get(kind, false, ids...)
}

// get reads documents of t (nil: an organization with none), each as its
// latest version or, with all, as every version it has; the caller holds
// the lock.
func (t *tenant) get(kind contract.Kind, all bool, ids ...uuid.UUID) (contract.Objects, error) {
	var out contract.Objects
	for _, id := range ids {
		var d *doc
		if t != nil {
			d = t.docs[id]
		}
		if d == nil || d.kind != kind {
			return contract.Objects{}, pricekit.Errorf(pricekit.ErrNotFound, "store", string(kind),
				fmt.Sprintf("no %s %s", kind, id))
		}
		if !all {
			appendDoc(&out, d.value)
			continue
		}
		for _, v := range d.all() {
			appendDoc(&out, v)
		}
	}
	return out, nil
}

// Versions implements [store.Reader].
func (s *Store) Versions(ctx context.Context, org uuid.UUID, kind contract.Kind, id uuid.UUID) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tenant(org, false).get(kind, true, id)
}

// Tree implements [store.TreeReader]: the whole tree is read under one
// hold of the lock, so no save lands in the middle of it.
func (s *Store) Tree(ctx context.Context, org, parentID uuid.UUID) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tenant(org, false)
	return store.WalkTree(ctx, func(_ context.Context, kind contract.Kind, ids ...uuid.UUID) (contract.Objects, error) {
		return t.get(kind, true, ids...)
	}, parentID)
}

// appendDoc adds a copy of a stored value to a bundle, sharing nothing
// with it.
func appendDoc(o *contract.Objects, v any) { o.Add(v) }

// List implements [store.Reader].
func (s *Store) List(ctx context.Context, org uuid.UUID, kinds ...contract.Kind) (contract.Objects, error) {
	if err := ctx.Err(); err != nil {
		return contract.Objects{}, err
	}
	if len(kinds) == 0 {
		kinds = contract.Kinds()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out contract.Objects
	t := s.tenant(org, false)
	if t == nil {
		return out, nil
	}
	for _, k := range kinds {
		for _, id := range t.order[k] {
			appendDoc(&out, t.docs[id].value)
		}
	}
	return out, nil
}

// ParentContracts implements [store.Reader].
func (s *Store) ParentContracts(ctx context.Context, org, customerID uuid.UUID) ([]contract.ParentContract, error) {
	all, err := s.List(ctx, org, contract.KindParentContract)
	if err != nil {
		return nil, err
	}
	var out []contract.ParentContract
	for _, p := range all.ParentContracts {
		if p.CustomerID == customerID {
			out = append(out, p)
		}
	}
	return out, nil
}

// Version implements [store.Reader].
func (s *Store) Version(ctx context.Context, org, id uuid.UUID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.tenant(org, false); t != nil {
		if d := t.docs[id]; d != nil {
			return d.version, nil
		}
	}
	return 0, pricekit.Errorf(pricekit.ErrNotFound, "store", "", fmt.Sprintf("no document %s", id))
}
