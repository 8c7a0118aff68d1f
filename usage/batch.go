package usage

import (
	"errors"
	"fmt"
	"strconv"
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

// Batch is an accepted batch of events: the ones to store, in batch order,
// each with its day (in its parent contract's time zone), and how many
// were replays of an event stored or earlier in the batch, which count once.
type Batch struct {
	Events   []Event
	Days     []date.Date
	Replayed int
}

// Accept checks a batch of events as a whole (docs/errors.md): every event
// must be valid and within the limits, name a product contract that lookup
// knows, for its product and on a day inside the contract's own dates; an
// id seen before (stored, or earlier in the batch) must carry the same
// payload, and is then a replay. It returns the events to store, or an
// error naming every bad event as usage[i], and changes nothing.
//
// It is the one acceptance rule of pricekit: every store's ingestion and
// every rating of events held in memory goes through it. stored returns
// the stored event with an id, if any; nil means none is stored.
func Accept(events []Event, lookup func(uuid.UUID) (Target, bool), stored func(id string) (Event, bool)) (Batch, error) {
	if len(events) == 0 {
		return Batch{}, pricekit.Errorf(pricekit.ErrMissingInput, "usage", "", "no usage events")
	}
	var (
		errs   []error
		keep   = make([]bool, len(events))
		days   = make([]date.Date, len(events))
		seen   map[string]int // id → index of its first event in the batch
		lastID uuid.UUID
		last   Target
		known  bool
		n      int
	)
	for i, e := range events {
		if err := e.Validate(); err != nil {
			errs = append(errs, pricekit.Prefix(eventField(i), err))
			continue
		}
		if e.ContractID != lastID || i == 0 {
			lastID = e.ContractID
			last, known = lookup(e.ContractID)
		}
		if !known {
			errs = append(errs, unknownContract(i, e.ContractID))
			continue
		}
		day := e.Day(last.Location)
		if err := e.fit(last, day); err != nil {
			errs = append(errs, pricekit.Prefix(eventField(i), err))
			continue
		}
		days[i] = day
		if e.ID != "" {
			if stored != nil {
				if prev, ok := stored(e.ID); ok {
					if !last.Same(prev, e) {
						errs = append(errs, duplicate(eventField(i), e.ID))
					}
					continue
				}
			}
			if seen == nil {
				seen = make(map[string]int, len(events))
			}
			if j, ok := seen[e.ID]; ok {
				if !last.Same(events[j], e) {
					errs = append(errs, duplicate(eventField(i), e.ID))
				}
				continue
			}
			seen[e.ID] = i
		}
		keep[i] = true
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return Batch{}, err
	}
	b := Batch{Replayed: len(events) - n}
	if n == len(events) {
		b.Events, b.Days = events, days // nothing to drop: no copy
		return b, nil
	}
	b.Events, b.Days = make([]Event, 0, n), make([]date.Date, 0, n)
	for i, e := range events {
		if keep[i] {
			b.Events, b.Days = append(b.Events, e), append(b.Days, days[i])
		}
	}
	return b, nil
}

func eventField(i int) string { return "usage[" + strconv.Itoa(i) + "]" }

func unknownContract(i int, id uuid.UUID) error {
	return pricekit.Errorf(pricekit.ErrUsageOutOfContract, "usage", eventField(i)+".contract_id",
		fmt.Sprintf("no product contract %s", id))
}

func duplicate(field, id string) error {
	return pricekit.Errorf(pricekit.ErrDuplicateUsage, "usage", field+".id",
		fmt.Sprintf("usage id %q was seen before with a different payload", id))
}
