package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

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

// factoryRun rates every parent contract of the organization and keeps
// the statements for /factory/charges: 200 with how many it rated. A
// contract with an end date is rated over its own dates, an evergreen one
// through today in its time zone, or, for every contract, through the
// body's "to". Under /sim, a body's "usage" rates with those events
// instead of the stored ones, storing none of them.
func (c *call) factoryRun() {
	data, ok := c.optionalBody()
	if !ok {
		return
	}
	var (
		to        date.Date
		given     []usage.Event
		simulated bool
	)
	if len(bytes.TrimSpace(data)) > 0 {
		o, err := jsonx.Parse("httpapi", data)
		if err != nil {
			c.fail(err)
			return
		}
		to, _ = o.Date("to")
		var evErr error
		if c.space.sim {
			if raw := o.Raw("usage"); raw != nil {
				given, evErr = events(raw)
				simulated = true
			}
		}
		if err := errors.Join(o.Err(), evErr); err != nil {
			c.fail(err)
			return
		}
	}
	parents, err := c.space.store.List(c.ctx(), c.org, contract.KindParentContract)
	if err != nil {
		c.fail(err)
		return
	}
	var byParent [][]usage.Event
	if simulated {
		if byParent, err = c.usageByParent(parents.ParentContracts, given); err != nil {
			c.fail(err)
			return
		}
	}
	var (
		statements = []rating.Statement{}
		failed     []runError
	)
	for i, p := range parents.ParentContracts {
		until := to
		if until == 0 && p.End == 0 {
			loc, err := p.Location()
			if err != nil {
				loc = time.UTC // rating refuses the contract with its reason
			}
			until = date.NewAt(c.h.now().In(loc))
		}
		var st []rating.Statement
		if simulated {
			st, err = billing.Simulate(c.ctx(), c.space.store, c.org, p.ID, byParent[i], 0, until)
		} else {
			st, err = billing.Rate(c.ctx(), c.space.store, c.org, p.ID, 0, until)
		}
		if c.ctx().Err() != nil {
			return // the client went away
		}
		if err != nil {
			failed = append(failed, runError{ContractID: p.ID, refusal: refusalOf(err)})
			continue
		}
		statements = append(statements, st...)
	}
	c.space.keepRun(c.org, statements)
	out := map[string]any{"contracts": len(parents.ParentContracts), "statements": len(statements)}
	if len(failed) > 0 {
		out["errors"] = failed
	}
	writeJSON(c.w, http.StatusOK, out)
}

// usageByParent checks given events as an ingestion into the simulation
// space would (duplicate ids, contracts, products and days: the whole
// batch refused, each bad event named), and gives each parent contract
// the events of its own product contracts.
func (c *call) usageByParent(parents []contract.ParentContract, given []usage.Event) ([][]usage.Event, error) {
	holders := map[uuid.UUID][]int{} // product contract → the parents above it
	var ids []uuid.UUID
	for i, p := range parents {
		tree, err := store.Resolve(c.ctx(), c.space.store, c.org, p.ID)
		if err != nil {
			continue // rated on its own, where its error is reported
		}
		for _, pc := range tree.ProductContracts {
			holders[pc.ID] = append(holders[pc.ID], i)
			ids = append(ids, pc.ID)
		}
	}
	docs, ok := c.space.store.(store.Documents)
	if !ok {
		return nil, errors.New("httpapi: the simulation space cannot check usage")
	}
	targets, err := docs.UsageTargets(c.ctx(), c.org, ids)
	if err != nil {
		return nil, err
	}
	if _, err := usage.Accept(given, func(id uuid.UUID) (usage.Target, bool) {
		t, ok := targets[id]
		return t, ok
	}, nil); err != nil {
		return nil, err
	}
	out := make([][]usage.Event, len(parents))
	for _, e := range given {
		for _, i := range holders[e.ContractID] {
			out[i] = append(out[i], e)
		}
	}
	return out, nil
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
	if n := mostPeriods(f, start, end); n > maxSimPeriods {
		c.fail(pricekit.Errorf(pricekit.ErrInvalidInput, "httpapi", "end_date",
			fmt.Sprintf("the dates hold up to %d periods; at most %d are listed", n, maxSimPeriods)))
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

// maxSimPeriods bounds what sim_dates lists: 27 years of days, a
// thousand years of months.
const maxSimPeriods = 10_000

// mostPeriods bounds the number of periods of f from start through end:
// the days over the shortest period of its unit, and two partial ones.
func mostPeriods(f schedule.BillingFrequency, start, end date.Date) int64 {
	shortest := map[schedule.Unit]int64{schedule.Day: 1, schedule.Week: 7, schedule.Month: 28, schedule.Quarter: 89, schedule.Year: 365}[f.Unit]
	if shortest == 0 || end < start {
		return 0
	}
	return int64(end-start+1)/(shortest*int64(max(f.Interval, 1))) + 2
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
