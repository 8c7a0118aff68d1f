package usage

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
)

// Target is what an event must fit: the product contract it names, with
// the time zone of the parent contract above it.
type Target struct {
	ProductID  uuid.UUID
	Start, End date.Date // the contract's days, inclusive; End 0: evergreen
	Location   *time.Location
}

// Check reports usage_out_of_contract when e does not fit t: another
// product, or a day outside the contract's dates.
func (e Event) Check(t Target) error { return e.fit(t, e.Day(t.Location)) }

// fit is Check for an event whose day in t's time zone is known.
func (e Event) fit(t Target, day date.Date) error {
	if e.ProductID != uuid.Nil && e.ProductID != t.ProductID {
		return pricekit.Errorf(pricekit.ErrUsageOutOfContract, "usage", "product_id",
			fmt.Sprintf("product %s is not the product of contract %s", e.ProductID, e.ContractID))
	}
	if day < t.Start || (t.End != 0 && day > t.End) {
		return pricekit.Errorf(pricekit.ErrUsageOutOfContract, "usage", dayField(e),
			fmt.Sprintf("day %s is outside the contract's dates %s", day, datesText(t)))
	}
	return nil
}

func datesText(t Target) string {
	if t.End == 0 {
		return t.Start.String() + " … (evergreen)"
	}
	return t.Start.String() + " … " + t.End.String()
}

// Same reports whether a and b, two events for t's contract, carry the same
// payload: the test for a replay. An event without product_id is for the
// contract's own product (docs/documents.md, usage events), so leaving it out equals naming it.
func (t Target) Same(a, b Event) bool {
	a.ProductID, b.ProductID = or(a.ProductID, t.ProductID), or(b.ProductID, t.ProductID)
	return a.SamePayload(b)
}

func or(id, fallback uuid.UUID) uuid.UUID {
	if id == uuid.Nil {
		return fallback
	}
	return id
}

func dayField(e Event) string {
	if e.Date != 0 {
		return "date"
	}
	return "timestamp"
}

// Accept validates a batch of events as a whole (docs/errors.md): every event must
// be valid, name a known product contract (lookup) and fit it, and an id
// seen before (in stored, or earlier in the batch) must carry the same
// payload. It returns the events to store — replays of a stored or earlier
// event are dropped, so they count once — or an error naming every bad
// event as usage[i]. It changes nothing; when nothing is dropped it
// returns events itself.
func Accept(events []Event, lookup func(uuid.UUID) (Target, bool), stored func(id string) (Event, bool)) ([]Event, error) {
	if len(events) == 0 {
		return nil, pricekit.Errorf(pricekit.ErrMissingInput, "usage", "", "no usage events")
	}
	var (
		errs    []error
		dropped []int // indexes of replays, in order
		batch   = make(map[string]int, len(events))
		lastID  uuid.UUID
		last    Target
		known   bool
	)
	for i, e := range events {
		field := func() string { return fmt.Sprintf("usage[%d]", i) } // built only for a refusal
		if err := e.Validate(); err != nil {
			errs = append(errs, pricekit.Prefix(field(), err))
			continue
		}
		if e.ContractID != lastID || i == 0 {
			lastID = e.ContractID
			last, known = lookup(e.ContractID)
		}
		if !known {
			errs = append(errs, pricekit.Errorf(pricekit.ErrUsageOutOfContract, "usage", field()+".contract_id",
				fmt.Sprintf("no product contract %s", e.ContractID)))
			continue
		}
		if err := e.Check(last); err != nil {
			errs = append(errs, pricekit.Prefix(field(), err))
			continue
		}
		if e.ID != "" {
			if prev, ok := stored(e.ID); ok {
				if !last.Same(prev, e) {
					errs = append(errs, duplicate(field(), e.ID))
				}
				dropped = append(dropped, i)
				continue
			}
			if j, ok := batch[e.ID]; ok {
				if !last.Same(events[j], e) {
					errs = append(errs, duplicate(field(), e.ID))
				}
				dropped = append(dropped, i)
				continue
			}
			batch[e.ID] = i
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(dropped) == 0 {
		return events, nil // nothing to drop: no copy
	}
	out := make([]Event, 0, len(events)-len(dropped))
	for i, e := range events {
		if len(dropped) > 0 && dropped[0] == i {
			dropped = dropped[1:]
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func duplicate(field, id string) error {
	return pricekit.Errorf(pricekit.ErrDuplicateUsage, "usage", field+".id",
		fmt.Sprintf("usage id %q was seen before with a different payload", id))
}
