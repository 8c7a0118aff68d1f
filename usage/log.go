package usage

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
)

// GroupKey is what a [Log] groups events by: the product contract and the
// product as the event names it (uuid.Nil when it names none and so is for
// the contract's own product). A contract's events usually form one group;
// an aggregation that wants them together maps both groups to one slot.
type GroupKey struct {
	ContractID uuid.UUID
	ProductID  uuid.UUID
}

// Log is an append-only, columnar log of accepted usage events, in ingest
// order. Event i is the i-th event ever accepted (its ingest sequence); it
// is held in about 32 bytes plus its id:
//
//   - its group (a dense index of its [GroupKey]) and its day (in the parent
//     contract's time zone, fixed when it was ingested), as int32;
//   - its quantity at [Scale] as an int64, or, when it does not fit, a mark
//     and the exact decimal in a side table;
//   - its timestamp as Unix nanoseconds (or a mark for a date event);
//   - its id in a byte arena, found through an open-addressing index that
//     serves idempotency only.
//
// A Log never drops or rewrites an event. The zero Log is empty and ready
// to use. A Log is not safe for concurrent use: a store guards it with its
// own lock (readers may share a read lock, since reading changes nothing).
type Log struct {
	chunks []*chunk // event i is event i%chunkSize of chunks[i/chunkSize]
	n      int

	big   []bigEntry          // quantities that do not fit, by event index
	times map[int32]time.Time // timestamps beyond Unix nanoseconds

	index []int32 // open addressing: event index + 1 of an event with an id; 0 empty
	nIDs  int
	seed  maphash.Seed

	keys       []GroupKey
	groups     map[GroupKey]int32
	events     [][]int32             // by group: its events' indexes, in ingest order
	byContract map[uuid.UUID][]int32 // a product contract's groups, in the order first seen
}

// chunk holds the columns of up to chunkSize consecutive events. Full
// chunks are never copied again, so a growing log neither moves its events
// nor keeps more than one chunk of spare capacity.
type chunk struct {
	group []int32
	day   []int32
	qty   []int64  // at Scale; bigQty: see Log.big
	ts    []int64  // Unix nanoseconds; noTime: a date event; bigTime: see Log.times; nil: all dates
	idEnd []uint32 // event j's id is ids[idEnd[j-1]:idEnd[j]]; MaxIDLength keeps it in range
	ids   []byte
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
)

func (c *chunk) tsAt(j int) int64 {
	if c.ts == nil {
		return noTime
	}
	return c.ts[j]
}

func (l *Log) at(i int) (*chunk, int) { return l.chunks[i>>chunkBits], i & (chunkSize - 1) }

type bigEntry struct {
	i int32
	q decimal.Decimal
}

const (
	noTime  = math.MinInt64
	bigTime = math.MinInt64 + 1
)

// maxEvents bounds a Log so that event and group indexes fit an int32.
const maxEvents = math.MaxInt32 - 1

// Len returns the number of events in the log.
func (l *Log) Len() int { return l.n }

// Groups returns the number of groups.
func (l *Log) Groups() int { return len(l.keys) }

// Key returns the key of group g.
func (l *Log) Key(g int32) GroupKey { return l.keys[g] }

// Group returns the index of the group of k, if any event has it.
func (l *Log) Group(k GroupKey) (int32, bool) {
	g, ok := l.groups[k]
	return g, ok
}

// GroupOf returns the group of event i.
func (l *Log) GroupOf(i int) int32 { c, j := l.at(i); return c.group[j] }

// Day returns the day of event i.
func (l *Log) Day(i int) date.Date { c, j := l.at(i); return date.Date(c.day[j]) }

// AddTo adds event i to t.
func (l *Log) AddTo(t *Total, i int) {
	c, j := l.at(i)
	if q := c.qty[j]; q != bigQty {
		t.addFast(q, int64(c.day[j]))
		return
	}
	t.addBig(l.bigQuantity(i), int64(c.day[j]))
}

// Quantity returns the quantity of event i.
func (l *Log) Quantity(i int) decimal.Decimal {
	if c, j := l.at(i); c.qty[j] != bigQty {
		return decimal.New(c.qty[j], -Scale)
	}
	return l.bigQuantity(i)
}

func (l *Log) bigQuantity(i int) decimal.Decimal {
	k := sort.Search(len(l.big), func(k int) bool { return int(l.big[k].i) >= i })
	return l.big[k].q
}

func (l *Log) id(i int) []byte {
	c, j := l.at(i)
	var start uint32
	if j > 0 {
		start = c.idEnd[j-1]
	}
	return c.ids[start:c.idEnd[j]]
}

func (l *Log) timestamp(i int) time.Time {
	c, j := l.at(i)
	switch ts := c.tsAt(j); ts {
	case noTime:
		return time.Time{}
	case bigTime:
		return l.times[int32(i)]
	default:
		return time.Unix(0, ts).UTC()
	}
}

// Event returns event i as it was accepted (its product as it named it,
// its timestamp, if any, in UTC).
func (l *Log) Event(i int) Event {
	c, j := l.at(i)
	k := l.keys[c.group[j]]
	e := Event{ID: string(l.id(i)), ContractID: k.ContractID, ProductID: k.ProductID,
		Timestamp: l.timestamp(i), Quantity: l.Quantity(i)}
	if e.Timestamp.IsZero() {
		e.Date = date.Date(c.day[j])
	}
	return e
}

// Find returns the index of the event with the given id, if any.
func (l *Log) Find(id string) (int, bool) {
	if id == "" || len(l.index) == 0 {
		return 0, false
	}
	mask := uint64(len(l.index) - 1)
	for h := maphash.String(l.seed, id) & mask; ; h = (h + 1) & mask {
		j := l.index[h]
		if j == 0 {
			return 0, false
		}
		if string(l.id(int(j-1))) == id {
			return int(j - 1), true
		}
	}
}

// insertID indexes event i under its (non-empty, new) id.
func (l *Log) insertID(i int) {
	if (l.nIDs+1)*4 > len(l.index)*3 {
		l.rehash(max(len(l.index)*2, 1024))
	}
	l.place(i)
	l.nIDs++
}

func (l *Log) place(i int) {
	mask := uint64(len(l.index) - 1)
	h := maphash.Bytes(l.seed, l.id(i)) & mask
	for l.index[h] != 0 {
		h = (h + 1) & mask
	}
	l.index[h] = int32(i + 1)
}

// rehash rebuilds the index with size slots from the first n events.
func (l *Log) rehash(size int) {
	if l.index == nil {
		l.seed = maphash.MakeSeed()
	}
	l.index = make([]int32, size)
	l.nIDs = 0
	for i := range l.n {
		if len(l.id(i)) > 0 {
			l.place(i)
			l.nIDs++
		}
	}
}

// samePayload reports whether stored event i carries the values of e, an
// event of target t, whose group is g and whose quantity is q when fits.
// A product left out equals the contract's product named.
func (l *Log) samePayload(i int, e Event, t Target, g int32, q int64, fits bool) bool {
	c, j := l.at(i)
	if sg := c.group[j]; sg != g {
		k := l.keys[sg]
		if k.ContractID != e.ContractID || or(k.ProductID, t.ProductID) != or(e.ProductID, t.ProductID) {
			return false
		}
	}
	if e.Timestamp.IsZero() {
		if c.tsAt(j) != noTime || date.Date(c.day[j]) != e.Date {
			return false
		}
	} else if !l.timestamp(i).Equal(e.Timestamp) {
		return false
	}
	switch stored := c.qty[j]; {
	case fits:
		return stored == q
	case stored != bigQty:
		return false // a value that fits is always stored as an integer
	}
	return l.bigQuantity(i).Equal(e.Quantity)
}

// Ingest validates a batch as a whole and appends it (docs/errors.md). Every event
// must be valid (invalid_input), name a product contract that lookup knows,
// for its product and with its day inside the contract's dates
// (usage_out_of_contract); an id seen before, in the log or earlier in the
// batch, must carry the same payload (duplicate_usage) and is then a no-op.
// The day of a timestamp is taken in the target's time zone.
//
// On success it returns how many events were added and how many were
// replays. Otherwise it returns an error naming every bad event as
// usage[i], and the log is unchanged.
func (l *Log) Ingest(events []Event, lookup func(contract uuid.UUID) (Target, bool)) (added, replayed int, err error) {
	if len(events) == 0 {
		return 0, 0, pricekit.Errorf(pricekit.ErrMissingInput, "usage", "", "no usage events")
	}
	if l.n+len(events) > maxEvents {
		return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", "",
			fmt.Sprintf("the log holds %d events; %d more would exceed its capacity", l.n, len(events)))
	}
	var (
		errs    []error
		n0      = l.n
		nIDs0   = l.nIDs
		index0  = len(l.index)
		nBig0   = len(l.big)
		nKeys0  = len(l.keys)
		lastKey GroupKey
		lastG   int32 = -1
		lastTg  Target
		lastC   uuid.UUID
		haveTg  bool
	)
	if l.groups == nil {
		l.groups = map[GroupKey]int32{}
	}
	for i, e := range events {
		if err := e.Validate(); err != nil {
			errs = append(errs, pricekit.Prefix(eventField(i), err))
			continue
		}
		if !haveTg || e.ContractID != lastC {
			lastTg, haveTg = lookup(e.ContractID)
			lastC = e.ContractID
			if !haveTg {
				errs = append(errs, unknownContract(i, e.ContractID))
				continue
			}
		}
		t := lastTg
		day := e.Day(t.Location)
		if err := e.fit(t, day); err != nil {
			errs = append(errs, pricekit.Prefix(eventField(i), err))
			continue
		}
		if day < math.MinInt32 || day > math.MaxInt32 {
			errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", eventField(i)+"."+dayField(e),
				fmt.Sprintf("day %s is out of range", day)))
			continue
		}
		q, fits := toFixed(e.Quantity)
		k := GroupKey{e.ContractID, e.ProductID}
		g := lastG
		if k != lastKey || g < 0 {
			var ok bool
			if g, ok = l.groups[k]; !ok {
				g = int32(len(l.keys))
				l.keys = append(l.keys, k)
				l.events = append(l.events, nil)
				if l.byContract == nil {
					l.byContract = map[uuid.UUID][]int32{}
				}
				l.byContract[k.ContractID] = append(l.byContract[k.ContractID], g)
				l.groups[k] = g
			}
			lastKey, lastG = k, g
		}
		if e.ID != "" {
			if j, ok := l.Find(e.ID); ok {
				if !l.samePayload(j, e, t, g, q, fits) {
					errs = append(errs, duplicate(eventField(i), e.ID))
				}
				replayed++
				continue
			}
		}
		l.append(e, g, day, q, fits)
	}
	if err := errors.Join(errs...); err != nil {
		l.rollback(n0, nIDs0, index0, nBig0, nKeys0)
		return 0, 0, err
	}
	return l.n - n0, replayed, nil
}

func (l *Log) append(e Event, g int32, day date.Date, q int64, fits bool) {
	i := l.n
	if i&(chunkSize-1) == 0 && i>>chunkBits == len(l.chunks) {
		c := &chunk{}
		if i > 0 { // the first chunk grows as needed; later ones are made whole
			c = &chunk{group: make([]int32, 0, chunkSize), day: make([]int32, 0, chunkSize),
				qty: make([]int64, 0, chunkSize), idEnd: make([]uint32, 0, chunkSize)}
		}
		l.chunks = append(l.chunks, c)
	}
	c := l.chunks[i>>chunkBits]
	l.n++
	c.group = append(c.group, g)
	l.events[g] = append(l.events[g], int32(i))
	c.day = append(c.day, int32(day))
	if fits {
		c.qty = append(c.qty, q)
	} else {
		c.qty = append(c.qty, bigQty)
		l.big = append(l.big, bigEntry{int32(i), e.Quantity})
	}
	switch {
	case e.Timestamp.IsZero():
		if c.ts != nil {
			c.ts = append(c.ts, noTime)
		}
		l.appendID(c, i, e.ID)
		return
	case c.ts == nil:
		// The chunk's first timestamp: until now it held only dates.
		c.ts = make([]int64, len(c.group)-1, cap(c.group))
		for j := range c.ts {
			c.ts[j] = noTime
		}
	}
	switch {
	case e.Timestamp.Before(minNano) || e.Timestamp.After(maxNano):
		if l.times == nil {
			l.times = map[int32]time.Time{}
		}
		l.times[int32(i)] = e.Timestamp
		c.ts = append(c.ts, bigTime)
	default:
		c.ts = append(c.ts, e.Timestamp.UnixNano())
	}
	l.appendID(c, i, e.ID)
}

func (l *Log) appendID(c *chunk, i int, id string) {
	c.ids = append(c.ids, id...)
	c.idEnd = append(c.idEnd, uint32(len(c.ids)))
	if id != "" {
		l.insertID(i)
	}
}

var (
	minNano = time.Unix(0, bigTime+1)
	maxNano = time.Unix(0, math.MaxInt64)
)

// rollback undoes a refused batch: it cuts the columns back to n events.
func (l *Log) rollback(n, nIDs, indexSize, nBig, nKeys int) {
	for i := n; i < l.n; i++ {
		delete(l.times, int32(i))
	}
	l.n = n
	l.chunks = l.chunks[:(n+chunkSize-1)>>chunkBits]
	if k := n & (chunkSize - 1); k > 0 {
		c := l.chunks[len(l.chunks)-1]
		c.group, c.day, c.qty, c.idEnd = c.group[:k], c.day[:k], c.qty[:k], c.idEnd[:k]
		if c.ts != nil {
			c.ts = c.ts[:k]
		}
		c.ids = c.ids[:c.idEnd[k-1]]
	}
	l.big = l.big[:nBig]
	for g, k := range l.keys[nKeys:] {
		delete(l.groups, k)
		list := l.byContract[k.ContractID]
		if i := slices.Index(list, int32(nKeys+g)); i >= 0 {
			list = list[:i]
		}
		if len(list) == 0 {
			delete(l.byContract, k.ContractID)
		} else {
			l.byContract[k.ContractID] = list
		}
	}
	l.keys = l.keys[:nKeys]
	l.events = l.events[:nKeys]
	for g, list := range l.events {
		for len(list) > 0 && int(list[len(list)-1]) >= n {
			list = list[:len(list)-1]
		}
		l.events[g] = list
	}
	if len(l.index) != indexSize {
		if indexSize == 0 {
			l.index, l.nIDs = nil, 0
			return
		}
		l.rehash(indexSize)
		return
	}
	// Every staged id was placed after every stored one, so no stored id's
	// probe sequence crosses a staged slot: clearing them is exact.
	for h, j := range l.index {
		if int(j) > n {
			l.index[h] = 0
		}
	}
	l.nIDs = nIDs
}

func eventField(i int) string { return "usage[" + itoa(i) + "]" }

func itoa(i int) string { return strconv.Itoa(i) }

func unknownContract(i int, id uuid.UUID) error {
	return pricekit.Errorf(pricekit.ErrUsageOutOfContract, "usage", eventField(i)+".contract_id",
		fmt.Sprintf("no product contract %s", id))
}

// AggregateGroups folds the events of the given groups into one [Total]
// per period of bounds (period k is the days [bounds[k], bounds[k+1])),
// reusing dst's memory. It reads only those groups' events, in ingest
// order across the groups, so that the latest of a day is the last
// accepted; events on days outside the bounds are skipped. Bounds must
// increase.
func (l *Log) AggregateGroups(dst []Total, groups []int32, bounds []date.Date) []Total {
	n := max(len(bounds)-1, 0)
	if cap(dst) < n {
		dst = make([]Total, n)
	} else {
		dst = dst[:n]
		clear(dst)
	}
	if n == 0 {
		return dst
	}
	lists := make([][]int32, 0, len(groups))
	for _, g := range groups {
		if g >= 0 && int(g) < len(l.events) && len(l.events[g]) > 0 {
			lists = append(lists, l.events[g])
		}
	}
	lo, hi := bounds[0], bounds[n]
	add := func(i int) {
		day := l.Day(i)
		if day < lo || day >= hi {
			return
		}
		k, _ := slices.BinarySearch(bounds, day)
		if k == len(bounds) || bounds[k] != day {
			k--
		}
		l.AddTo(&dst[k], i)
	}
	if len(lists) == 1 {
		for _, i := range lists[0] {
			add(int(i))
		}
		return dst
	}
	// Merge the groups' lists by ingest index.
	pos := make([]int, len(lists))
	for {
		best := -1
		for j, list := range lists {
			if pos[j] < len(list) && (best < 0 || list[pos[j]] < lists[best][pos[best]]) {
				best = j
			}
		}
		if best < 0 {
			return dst
		}
		add(int(lists[best][pos[best]]))
		pos[best]++
	}
}

// GroupsOf returns the groups of product contract c's events (by the
// product they named), in the order they were first seen.
func (l *Log) GroupsOf(c uuid.UUID) []int32 { return l.byContract[c] }
