package httpapi

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
)

// route is one endpoint under an organization's path.
type route struct {
	method, path string
	serve        func(*call)
}

// routes lists the service's endpoints (and the library's maximums, which
// the service did not have, in its manner).
func routes() []route {
	rs := []route{
		{"POST", "/modifiers/billing_frequency/sim_dates", (*call).simDates},
		{"POST", "/usage", (*call).usage},
		{"POST", "/factory/run", (*call).factoryRun},
		{"GET", "/factory/charges", (*call).charges},
		{"GET", "/contract/{id}", (*call).contractTree},
		{"GET", "/customer/{customer_id}", (*call).customerContracts},
		{"PUT", "/customers/{id}", (*call).updateCustomer},
	}
	for _, d := range []struct {
		kind               contract.Kind
		create, one, lists string // paths; "" for none
	}{
		{contract.KindFixedFee, "/plans/fixedfee", "/plans/fixedfee/{id}", "/plans/fixedfees"},
		{contract.KindPlan, "/plans/tier", "/plans/tier/{id}", "/plans/tiers"},
		{contract.KindDiscount, "/modifiers/discounts", "/modifiers/discount/{id}", "/modifiers/discounts"},
		{contract.KindMinimum, "/modifiers/minimums", "/modifiers/minimum/{id}", "/modifiers/minimums"},
		{contract.KindMaximum, "/modifiers/maximums", "/modifiers/maximum/{id}", "/modifiers/maximums"},
		{contract.KindCredit, "/modifiers/credits", "/modifiers/credit/{id}", "/modifiers/credits"},
		{contract.KindBillingFrequency, "/modifiers/billing_frequency", "/modifiers/billing_frequency/{id}", "/modifiers/billing_frequencies"},
		{contract.KindProductContract, "/productcontract", "/productcontract/{id}", ""},
		{contract.KindSubContract, "/subcontract", "/subcontract/{id}", ""},
		{contract.KindParentContract, "/parentcontract", "", ""},
		{contract.KindCustomer, "/customers", "/customers/{id}", "/customers"},
	} {
		k := d.kind
		rs = append(rs, route{"POST", d.create, func(c *call) { c.create(k) }})
		if d.one != "" {
			rs = append(rs, route{"GET", d.one, func(c *call) { c.get(k) }})
		}
		if d.lists != "" {
			rs = append(rs, route{"GET", d.lists, func(c *call) { c.list(k) }})
		}
	}
	return rs
}

// create saves one document of kind k from the body: 201 with it as
// stored, id included. A body with the id of a stored document replaces
// it.
func (c *call) create(k contract.Kind) {
	body, ok := c.body()
	if !ok {
		return
	}
	var o contract.Objects
	if err := o.Decode(k, fromService(k, body)); err != nil {
		c.fail(asGiven(k, body, asInput(err)))
		return
	}
	saved, err := c.space.store.Save(c.ctx(), c.org, store.Batch{Objects: o})
	if err != nil {
		c.fail(asGiven(k, body, err))
		return
	}
	c.writeDoc(http.StatusCreated, saved, k)
}

// writeDoc answers the one document of kind k in o.
func (c *call) writeDoc(status int, o contract.Objects, k contract.Kind) {
	var doc any
	o.Each(func(kind contract.Kind, _ int, _ uuid.UUID, d any) {
		if kind == k && doc == nil {
			doc = d
		}
	})
	m, err := shape(doc)
	if err != nil {
		c.fail(err)
		return
	}
	writeJSON(c.w, status, m)
}

// id reads the path's {id}; false when it answered 404.
func (c *call) id(name string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.r.PathValue(name))
	if err != nil {
		c.fail(pricekit.Errorf(pricekit.ErrNotFound, "httpapi", name, "no document "+c.r.PathValue(name)))
		return uuid.Nil, false
	}
	return id, true
}

// get answers one document of kind k.
func (c *call) get(k contract.Kind) {
	id, ok := c.id("id")
	if !ok {
		return
	}
	o, err := c.space.store.Get(c.ctx(), c.org, k, id)
	if err != nil {
		c.fail(err)
		return
	}
	c.writeDoc(http.StatusOK, o, k)
}

// list answers every document of kind k, [] when there is none.
func (c *call) list(k contract.Kind) {
	o, err := c.space.store.List(c.ctx(), c.org, k)
	if err != nil {
		c.fail(err)
		return
	}
	out := []any{}
	var failed error
	o.Each(func(_ contract.Kind, _ int, _ uuid.UUID, d any) {
		m, err := shape(d)
		if err != nil {
			failed = err
		}
		out = append(out, m)
	})
	if failed != nil {
		c.fail(failed)
		return
	}
	writeJSON(c.w, http.StatusOK, out)
}

// customerContracts answers the parent contracts of a customer.
func (c *call) customerContracts() {
	id, ok := c.id("customer_id")
	if !ok {
		return
	}
	parents, err := c.space.store.ParentContracts(c.ctx(), c.org, id)
	if err != nil {
		c.fail(err)
		return
	}
	out := []any{}
	for _, p := range parents {
		m, err := shape(p)
		if err != nil {
			c.fail(err)
			return
		}
		out = append(out, m)
	}
	writeJSON(c.w, http.StatusOK, out)
}

// updateCustomer replaces a stored customer with the body: 200. The body's
// id, if any, must be the path's.
func (c *call) updateCustomer() {
	id, ok := c.id("id")
	if !ok {
		return
	}
	body, ok := c.body()
	if !ok {
		return
	}
	var o contract.Objects
	if err := o.Decode(contract.KindCustomer, body); err != nil {
		c.fail(asInput(err))
		return
	}
	cu := &o.Customers[0]
	if cu.ID != uuid.Nil && cu.ID != id {
		c.fail(pricekit.Errorf(pricekit.ErrInvalidInput, "httpapi", "id",
			"the body's id "+cu.ID.String()+" is not the path's "+id.String()))
		return
	}
	cu.ID = id
	if _, err := c.space.store.Get(c.ctx(), c.org, contract.KindCustomer, id); err != nil {
		c.fail(err)
		return
	}
	saved, err := c.space.store.Save(c.ctx(), c.org, store.Batch{Objects: o})
	if err != nil {
		c.fail(err)
		return
	}
	c.writeDoc(http.StatusOK, saved, contract.KindCustomer)
}

// contractTree answers a parent contract with its children expanded: its
// sub contracts and product contracts as objects, all the way down.
func (c *call) contractTree() {
	id, ok := c.id("id")
	if !ok {
		return
	}
	tree, err := store.Resolve(c.ctx(), c.space.store, c.org, id)
	if err != nil {
		c.fail(err)
		return
	}
	docs := map[uuid.UUID]any{}
	tree.Each(func(_ contract.Kind, _ int, id uuid.UUID, d any) { docs[id] = d })
	var expand func(d any) (map[string]any, error)
	expand = func(d any) (map[string]any, error) {
		m, err := shape(d)
		if err != nil {
			return nil, err
		}
		for _, list := range []string{"product_contracts", "sub_contracts"} {
			ids, _ := m[list].([]any)
			objs := make([]any, 0, len(ids))
			for _, x := range ids {
				s, _ := x.(string)
				u, err := uuid.Parse(s)
				if err != nil || docs[u] == nil {
					continue
				}
				child, err := expand(docs[u])
				if err != nil {
					return nil, err
				}
				objs = append(objs, child)
			}
			m[list] = objs
		}
		return m, nil
	}
	m, err := expand(docs[id])
	if err != nil {
		c.fail(err)
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}
