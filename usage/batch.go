package usage

import (
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"sync"
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
// Index, when not nil, gives the place in the batch given to Accept of
// each event to store; nil means Events is that batch itself.
type Batch struct {
	Events   []Event
	Days     []date.Date
	Replayed int
	Index    []int
}

// Lookup is what a batch is accepted against: where its events would go.
// Accept asks it about a whole batch at a time, so that a store can look
// many events up together, its memory loads overlapping, rather than
// answer one call per event.
type Lookup interface {
	// Targets sets targets[i] and known[i] for the product contract that
	// events[i] names, for every i with ask[i].
	Targets(events []Event, ask []bool, targets []Target, known []bool)
	// Stored calls found(i, prev) for every i with ask[i] whose id names
	// a stored event prev.
	Stored(events []Event, ask []bool, found func(i int, prev Event))
}

// LookupIDs returns what a store looks up before it accepts events: the
// distinct ids of the valid events that have one, in batch order, and the
// index of each id's first event. An invalid event is refused by Accept;
// its id (which may not even be text a database takes) is left out.
func LookupIDs(events []Event) (ids []string, first map[string]int) {
	first = map[string]int{}
	for i, e := range events {
		if e.ID == "" || e.Validate() != nil {
			continue
		}
		if _, ok := first[e.ID]; !ok {
			first[e.ID] = i
			ids = append(ids, e.ID)
		}
	}
	return ids, first
}

// ContractIDs returns the distinct product contracts events name, in
// batch order.
func ContractIDs(events []Event) []uuid.UUID {
	seen := make(map[uuid.UUID]bool)
	var out []uuid.UUID
	for _, e := range events {
		if e.ContractID != uuid.Nil && !seen[e.ContractID] {
			seen[e.ContractID] = true
			out = append(out, e.ContractID)
		}
	}
	return out
}

// Accept checks a batch of events as a whole (docs/errors.md): every event
// must be valid and within the limits, name a product contract that lookup
// knows, for its product and on a day inside the contract's own dates; an
// id seen before (stored, or earlier in the batch) must carry the same
// payload, and is then a replay. It returns the events to store, or an
// error naming every bad event as usage[i], and changes nothing.
//
// It is the one acceptance rule of pricekit: every store's ingestion and
// every rating of events held in memory goes through it (or through
// [AcceptBatch], the same rule asking a [Lookup]). stored returns the
// stored event with an id, if any; nil means none is stored.
func Accept(events []Event, lookup func(uuid.UUID) (Target, bool), stored func(id string) (Event, bool)) (Batch, error) {
	return AcceptBatch(events, funcs{lookup, stored})
}

// funcs is a [Lookup] answering one event at a time.
type funcs struct {
	lookup func(uuid.UUID) (Target, bool)
	stored func(id string) (Event, bool)
}

func (f funcs) Targets(events []Event, ask []bool, targets []Target, known []bool) {
	var (
		lastID uuid.UUID
		last   Target
		ok     bool
		looked bool
	)
	for i := range events {
		if !ask[i] {
			continue
		}
		if id := events[i].ContractID; id != lastID || !looked {
			lastID, looked = id, true
			last, ok = f.lookup(id)
		}
		targets[i], known[i] = last, ok
	}
}

func (f funcs) Stored(events []Event, ask []bool, found func(int, Event)) {
	if f.stored == nil {
		return
	}
	for i := range events {
		if ask[i] {
			if prev, ok := f.stored(events[i].ID); ok {
				found(i, prev)
			}
		}
	}
}

// AcceptBatch is [Accept] asking lk about the whole batch at once. It runs
// the rule in passes — validate every event, look up every contract, check
// every day, look up every id, then ids repeated within the batch — and
// reports, for each bad event, the first problem found, as Accept does.
func AcceptBatch(events []Event, lk Lookup) (Batch, error) {
	n := len(events)
	if n == 0 {
		return Batch{}, pricekit.Errorf(pricekit.ErrMissingInput, "usage", "", "no usage events")
	}
	sc := scratchFor(n)
	defer scratchPool.Put(sc)
	bad, ask, targets, known, drop := sc.bad[:n], sc.ask[:n], sc.targets[:n], sc.known[:n], sc.drop[:n]
	days := make([]date.Date, n) // handed out with the batch
	failed := false
	fail := func(i int, err error) {
		bad[i], failed = err, true
	}
	for i := range events {
		if err := events[i].Validate(); err != nil {
			fail(i, pricekit.Prefix(eventField(i), err))
		}
		ask[i] = bad[i] == nil
	}
	lk.Targets(events, ask, targets, known)
	for i := range events {
		if !ask[i] {
			continue
		}
		e := &events[i]
		if !known[i] {
			fail(i, unknownContract(i, e.ContractID))
			ask[i] = false
			continue
		}
		day := e.Day(targets[i].Location)
		if err := e.fit(targets[i], day); err != nil {
			fail(i, pricekit.Prefix(eventField(i), err))
			ask[i] = false
			continue
		}
		days[i] = day
		ask[i] = e.ID != ""
	}
	lk.Stored(events, ask, func(i int, prev Event) {
		if !targets[i].Same(prev, events[i]) {
			fail(i, duplicate(eventField(i), events[i].ID))
		}
		drop[i], ask[i] = true, false // a replay, or refused
	})
	// Ids repeated within the batch: the first good event with an id
	// stands, the later ones replay it or are refused.
	seen := sc.seenTable(n)
	for i := range events {
		if !ask[i] {
			continue
		}
		if j := seen.first(events, i); j >= 0 {
			if !targets[i].Same(events[j], events[i]) {
				fail(i, duplicate(eventField(i), events[i].ID))
			}
			drop[i] = true
		}
	}
	if failed {
		var errs []error
		for _, err := range bad {
			if err != nil {
				errs = append(errs, err)
			}
		}
		return Batch{}, errors.Join(errs...)
	}
	b := Batch{}
	for i := range drop {
		if drop[i] {
			b.Replayed++
		}
	}
	if b.Replayed == 0 {
		b.Events, b.Days = events, days // nothing to drop: no copy
		return b, nil
	}
	kept := n - b.Replayed
	b.Events, b.Days, b.Index = make([]Event, 0, kept), make([]date.Date, 0, kept), make([]int, 0, kept)
	for i, e := range events {
		if !drop[i] {
			b.Events, b.Days, b.Index = append(b.Events, e), append(b.Days, days[i]), append(b.Index, i)
		}
	}
	return b, nil
}

// scratch is the working memory of one AcceptBatch, pooled so that a busy
// ingestion does not allocate it per batch.
type scratch struct {
	bad     []error
	ask     []bool
	targets []Target
	known   []bool
	drop    []bool
	seen    idTable
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// scratchFor returns a cleared scratch for n events.
func scratchFor(n int) *scratch {
	sc := scratchPool.Get().(*scratch)
	if cap(sc.bad) < n {
		sc.bad, sc.ask, sc.targets = make([]error, n), make([]bool, n), make([]Target, n)
		sc.known, sc.drop = make([]bool, n), make([]bool, n)
	}
	clear(sc.bad[:n])
	clear(sc.drop[:n])
	clear(sc.known[:n])
	return sc
}

// idTable finds, for an event, the first earlier one of its batch with
// the same id: open addressing over the ids' hashes, load at most 1/2.
type idTable struct {
	slots []int32 // event index + 1; 0: empty
	mask  uint64
}

var idSeed = maphash.MakeSeed()

// seenTable returns sc's id table, empty and large enough for n events.
func (sc *scratch) seenTable(n int) *idTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	t := &sc.seen
	if len(t.slots) < size {
		t.slots = make([]int32, size)
	}
	t.slots = t.slots[:size]
	clear(t.slots)
	t.mask = uint64(size - 1)
	return t
}

// first returns the index of the first event before i in events with
// i's id, or -1 after recording i as the first with it.
func (t *idTable) first(events []Event, i int) int {
	id := events[i].ID
	for p := maphash.String(idSeed, id) & t.mask; ; p = (p + 1) & t.mask {
		j := t.slots[p]
		if j == 0 {
			t.slots[p] = int32(i + 1)
			return -1
		}
		if events[j-1].ID == id {
			return int(j - 1)
		}
	}
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
