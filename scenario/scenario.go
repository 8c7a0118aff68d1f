// Package scenario reads and runs scenario documents (docs/scenarios.md): everything
// needed to reproduce a bill — documents, usage, the run and, optionally,
// the expected result — in one JSON file. The conformance suite is made of
// them, and examples/scenario runs them from the command line.
//
// A scenario runs as a host would: its documents are saved in one batch to
// an in-memory store, its usage is ingested as one batch, and the parent
// contract is rated through package billing. The first refusal stops it.
package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/billing"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/store/memory"
	"github.com/pricekit/pricekit/usage"
)

// Scenario is a decoded scenario document.
type Scenario struct {
	Description string
	Objects     contract.Objects
	Usage       []usage.Event
	// Issued are the run's contract's issued statements, first first
	// (docs/statements.md): its first statements, as pricekit wrote them.
	Issued   []rating.Statement
	Contract uuid.UUID // run.contract_id
	From, To date.Date // run.from, run.to; zero: the contract's dates
	Expect   json.RawMessage
}

// Parse reads a scenario document. Every problem of its documents and
// usage is reported; an empty document or one without "run" is
// missing_input.
func Parse(data []byte) (*Scenario, error) {
	o, err := jsonx.Parse("scenario", data)
	if err != nil {
		return nil, err
	}
	s := &Scenario{Description: o.String("description"), Expect: o.Raw("expect")}
	if raw := o.Raw("objects"); raw != nil {
		if err := json.Unmarshal(raw, &s.Objects); err != nil {
			o.Add("objects", asError(err))
		}
	}
	for i, raw := range o.List("usage") {
		var e usage.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			o.Add(fmt.Sprintf("usage[%d]", i), asError(err))
			continue
		}
		s.Usage = append(s.Usage, e)
	}
	for i, raw := range o.List("issued") {
		var st rating.Statement
		if err := json.Unmarshal(raw, &st); err != nil {
			o.Add(fmt.Sprintf("issued[%d]", i), asError(err))
			continue
		}
		s.Issued = append(s.Issued, st)
	}
	raw := o.Raw("run")
	if raw == nil {
		o.Fail(pricekit.ErrMissingInput, "run", "a scenario needs a run")
	} else if run, err := jsonx.Parse("scenario", raw); err != nil {
		o.Add("run", err)
	} else {
		var ok bool
		if s.Contract, ok = run.UUID("contract_id"); !ok && !run.Has("contract_id") {
			run.Fail(pricekit.ErrMissingInput, "contract_id", "run needs a contract_id")
		}
		s.From, _ = run.Date("from")
		s.To, _ = run.Date("to")
		o.Add("run", run.Err())
	}
	if err := o.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// asError keeps a *pricekit.Error (or a join of them) and turns anything
// else the JSON decoder said into invalid_input.
func asError(err error) error {
	var perr *pricekit.Error
	if errors.As(err, &perr) {
		return err
	}
	return pricekit.Errorf(pricekit.ErrInvalidInput, "scenario", "", "malformed JSON")
}

// org is the organization a scenario's documents are saved under.
var org = uuid.MustParse("00000000-0000-4000-8000-00000000000a")

// Run saves the scenario's documents, ingests its usage and rates its run.
func (s *Scenario) Run(ctx context.Context) ([]rating.Statement, error) {
	st := memory.New()
	objs := s.Objects.Clone()
	for i := range objs.ParentContracts {
		if objs.ParentContracts[i].OrganizationID != uuid.Nil {
			objs.ParentContracts[i].OrganizationID = org
		}
	}
	for i := range objs.Customers {
		if objs.Customers[i].OrganizationID != uuid.Nil {
			objs.Customers[i].OrganizationID = org
		}
	}
	if objs.Len() > 0 {
		if _, err := st.Save(ctx, org, store.Batch{Objects: objs}); err != nil {
			return nil, err
		}
	}
	if len(s.Usage) > 0 {
		if _, err := st.Ingest(ctx, org, s.Usage); err != nil {
			return nil, err
		}
	}
	in, err := billing.Input(ctx, st, org, s.Contract)
	if err != nil {
		return nil, err
	}
	in.Issued, in.From, in.To = s.Issued, s.From, s.To
	return rating.Rate(in)
}

// Output is what the scenario program prints: the statements, or the
// refusal. Its JSON is {"statements": [...]} (a list, empty when the run
// overlaps no billing period) or {"error": {...}}.
type Output struct {
	Statements []rating.Statement
	Error      *ErrorOutput
}

// MarshalJSON writes {"error": …} for a refusal and {"statements": […]}
// otherwise, never a null list.
func (o Output) MarshalJSON() ([]byte, error) {
	if o.Error != nil {
		return json.Marshal(struct {
			Error *ErrorOutput `json:"error"`
		}{o.Error})
	}
	stmts := o.Statements
	if stmts == nil {
		stmts = []rating.Statement{}
	}
	return json.Marshal(struct {
		Statements []rating.Statement `json:"statements"`
	}{stmts})
}

// ErrorOutput is a refusal as the scenario program prints it.
type ErrorOutput struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Evaluate parses and runs a scenario document, returning what the
// scenario program prints.
func Evaluate(ctx context.Context, data []byte) Output {
	s, err := Parse(data)
	if err == nil {
		var stmts []rating.Statement
		if stmts, err = s.Run(ctx); err == nil {
			return Output{Statements: stmts}
		}
	}
	e := pricekit.First(err)
	if e == nil {
		e = pricekit.Errorf(pricekit.ErrInvalidInput, "scenario", "", err.Error())
	}
	return Output{Error: &ErrorOutput{Code: string(e.Code), Field: e.Field, Message: e.Error()}}
}

// Check evaluates a scenario document and compares the result with its
// "expect": it returns the differences, one per line, or none when they
// match (an expected refusal included).
func Check(ctx context.Context, data []byte) ([]string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, pricekit.Errorf(pricekit.ErrMissingInput, "scenario", "", "empty document")
	}
	var doc struct {
		Expect json.RawMessage `json:"expect"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "scenario", "", "malformed JSON: "+err.Error())
	}
	if t := bytes.TrimSpace(doc.Expect); len(t) == 0 || string(t) == "null" {
		return nil, pricekit.Errorf(pricekit.ErrMissingInput, "scenario", "expect", "the document has no \"expect\"")
	}
	out := Evaluate(ctx, data)
	var want map[string]any
	if err := json.Unmarshal(doc.Expect, &want); err != nil {
		return nil, fmt.Errorf("scenario: expect: %w", err)
	}
	if code, ok := want["error"]; ok {
		switch {
		case out.Error == nil:
			return []string{fmt.Sprintf("error: want %v, got %d statements", code, len(out.Statements))}, nil
		case out.Error.Code != fmt.Sprint(code):
			return []string{fmt.Sprintf("error: want %v, got %s (%s)", code, out.Error.Code, out.Error.Message)}, nil
		}
		return nil, nil
	}
	if out.Error != nil {
		return []string{fmt.Sprintf("error: want statements, got %s (%s)", out.Error.Code, out.Error.Message)}, nil
	}
	gotJSON, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var got any
	if err := json.Unmarshal(gotJSON, &got); err != nil {
		return nil, err
	}
	var diffs []string
	compare("", want, got, &diffs)
	return diffs, nil
}
