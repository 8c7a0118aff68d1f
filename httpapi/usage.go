package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/schedule"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// events reads a list of usage events, given as a JSON array or as
// {"usage": [...]}; every bad event is named as usage[i].
func events(body []byte) ([]usage.Event, error) {
	raw := bytes.TrimSpace(body)
	if len(raw) > 0 && raw[0] == '{' {
		o, err := jsonx.Parse("httpapi", raw)
		if err != nil {
			return nil, err
		}
		raw = o.Raw("usage")
		if err := o.Err(); err != nil {
			return nil, err
		}
		if raw == nil {
			return nil, pricekit.Errorf(pricekit.ErrMissingInput, "httpapi", "usage", "no usage events")
		}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "httpapi", "usage", "want a list of usage events")
	}
	if len(list) == 0 {
		return nil, pricekit.Errorf(pricekit.ErrMissingInput, "httpapi", "usage", "no usage events")
	}
	out := make([]usage.Event, len(list))
	var errs []error
	for i, r := range list {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			errs = append(errs, pricekit.Prefix(fmt.Sprintf("usage[%d]", i), asInput(err)))
		}
	}
	return out, errors.Join(errs...)
}

// usage ingests a batch of events, all or nothing: 201 with what it added.
func (c *call) usage() {
	body, ok := c.body()
	if !ok {
		return
	}
	evs, err := events(body)
	if err != nil {
		c.fail(err)
		return
	}
	got, err := c.space.store.Ingest(c.ctx(), c.org, evs)
	if err != nil {
		c.fail(err)
		return
	}
	writeJSON(c.w, http.StatusCreated, map[string]int{"added": got.Added, "replayed": got.Replayed})
}

// runError is a parent contract a factory run could not rate.
type runError struct {
	ContractID uuid.UUID `json:"contract_id"`
	refusal
}

// factoryRun rates every parent contract of the organization over its
// own dates and keeps the statements for /factory/charges: 200 with how
// many it rated. Under /sim, a body {"usage": [...]} rates with that usage
// instead of the stored one, storing nothing.
func (c *call) factoryRun() {
	var given []usage.Event
	simulated := false
	if c.space.sim {
		data, err := readAll(c)
		if err != nil {
			return
		}
		if len(bytes.TrimSpace(data)) > 0 {
			if given, err = events(data); err != nil {
				c.fail(err)
				return
			}
			simulated = true
		}
	}
	var (
		statements []rating.Statement
		failed     []runError
		contracts  int
	)
	keep := func(id uuid.UUID, st []rating.Statement, err error) {
		contracts++
		if err != nil {
			failed = append(failed, runError{ContractID: id, refusal: refusalOf(err)})
			return
		}
		statements = append(statements, st...)
	}
	if simulated {
		if err := c.simulate(given, keep); err != nil {
			c.fail(err)
			return
		}
	} else {
		err := billing.Portfolio(c.ctx(), c.space.store, c.org, billing.Run{}, func(r billing.Result) error {
			keep(r.Contract, r.Statements, r.Err)
			return nil
		})
		if err != nil {
			c.fail(err)
			return
		}
	}
	if statements == nil {
		statements = []rating.Statement{}
	}
	c.space.keepRun(c.org, statements)
	out := map[string]any{"contracts": contracts, "statements": len(statements)}
	if len(failed) > 0 {
		out["errors"] = failed
	}
	writeJSON(c.w, http.StatusOK, out)
}

// readAll reads an optional body; on an error it answered already.
func readAll(c *call) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(c.r.Body)
	if tooLarge(err) {
		writeJSON(c.w, http.StatusRequestEntityTooLarge, message("the request body is too large"))
		return nil, err
	}
	if err != nil {
		writeJSON(c.w, http.StatusBadRequest, message("the request body could not be read"))
		return nil, err
	}
	return buf.Bytes(), nil
}

// simulate rates every parent contract of the simulation space with the
// given events, each contract with the events of its own product
// contracts. An event of no parent contract's tree is refused, as an
// ingestion would refuse it, before anything is rated.
func (c *call) simulate(given []usage.Event, keep func(uuid.UUID, []rating.Statement, error)) error {
	parents, err := c.space.store.List(c.ctx(), c.org, contract.KindParentContract)
	if err != nil {
		return err
	}
	owner := map[uuid.UUID]int{} // product contract → index of its parent
	for i, p := range parents.ParentContracts {
		tree, err := store.Resolve(c.ctx(), c.space.store, c.org, p.ID)
		if err != nil {
			continue // rated below, where its error is reported
		}
		for _, pc := range tree.ProductContracts {
			owner[pc.ID] = i
		}
	}
	byParent := make([][]usage.Event, len(parents.ParentContracts))
	var errs []error
	for i, e := range given {
		p, ok := owner[e.ContractID]
		if !ok {
			errs = append(errs, pricekit.Errorf(pricekit.ErrUsageOutOfContract, "httpapi",
				fmt.Sprintf("usage[%d].contract_id", i), "no parent contract holds product contract "+e.ContractID.String()))
			continue
		}
		byParent[p] = append(byParent[p], e)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, p := range parents.ParentContracts {
		st, err := billing.Simulate(c.ctx(), c.space.store, c.org, p.ID, byParent[i], 0, 0)
		keep(p.ID, st, err)
	}
	return nil
}

// refusalOf is err as a refusal, for a list.
func refusalOf(err error) refusal {
	all := pricekit.All(err)
	if len(all) == 0 {
		return refusal{Message: "internal error"}
	}
	return refusal{Message: all[0].Message, Code: string(all[0].Code), Field: all[0].Field}
}

// charges answers the statements of the organization's last factory run,
// [] before the first.
func (c *call) charges() {
	out := []any{}
	for _, st := range c.space.lastRun(c.org) {
		m, err := shape(st)
		if err != nil {
			c.fail(err)
			return
		}
		out = append(out, m)
	}
	writeJSON(c.w, http.StatusOK, out)
}

// simDates lists the periods of a billing frequency between start_date and
// end_date: 200 {"dates": [[first, last], …]}. The frequency is the body's
// own fields, or a "billing_frequency" object or stored id.
func (c *call) simDates() {
	o, ok := c.object()
	if !ok {
		return
	}
	fields := o.Fields()
	start, _ := o.Date("start_date")
	end, _ := o.Date("end_date")
	if !o.Has("start_date") {
		o.Fail(pricekit.ErrInvalidInput, "start_date", "start_date is required")
	}
	if !o.Has("end_date") {
		o.Fail(pricekit.ErrInvalidInput, "end_date", "end_date is required")
	}
	var f schedule.BillingFrequency
	var ferr error
	if raw := o.Raw("billing_frequency"); raw != nil {
		f, ferr = c.frequency(raw)
		ferr = pricekit.Prefix("billing_frequency", ferr)
	} else {
		delete(fields, "start_date")
		delete(fields, "end_date")
		rest, _ := json.Marshal(fields)
		var objs contract.Objects
		if ferr = asInput(objs.Decode(contract.KindBillingFrequency, rest)); ferr == nil {
			f = objs.BillingFrequencies[0]
		}
		for name := range fields {
			o.Raw(name) // read by the frequency's decoder
		}
	}
	if err := errors.Join(o.Err(), ferr); err != nil {
		c.fail(err)
		return
	}
	periods, err := schedule.SimDates(f, start, end)
	if err != nil {
		c.fail(err)
		return
	}
	dates := make([][2]string, len(periods))
	for i, p := range periods {
		dates[i] = [2]string{p[0].String(), p[1].String()}
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"dates": dates})
}

// frequency reads a billing frequency given as an object or as the id of
// a stored one.
func (c *call) frequency(raw json.RawMessage) (schedule.BillingFrequency, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		id, err := uuid.Parse(s)
		if err != nil {
			return schedule.BillingFrequency{}, pricekit.Errorf(pricekit.ErrInvalidInput, "httpapi", "", "want a billing frequency or its id")
		}
		o, err := c.space.store.Get(c.ctx(), c.org, contract.KindBillingFrequency, id)
		if err != nil {
			return schedule.BillingFrequency{}, err
		}
		return o.BillingFrequencies[0], nil
	}
	var objs contract.Objects
	if err := objs.Decode(contract.KindBillingFrequency, raw); err != nil {
		return schedule.BillingFrequency{}, asInput(err)
	}
	return objs.BillingFrequencies[0], nil
}
