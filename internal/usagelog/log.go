package usagelog

import (
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/usage"
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
func (l *Log) Event(i int) usage.Event {
	c, j := l.at(i)
	k := l.keys[c.group[j]]
	e := usage.Event{ID: string(l.id(i)), ContractID: k.ContractID, ProductID: k.ProductID,
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

// Ingest checks a batch with [usage.Accept] — the one acceptance rule:
// valid events, known product contracts that they fit, replays of an id
// with the same payload only — and appends the events it accepts, each on
// the day Accept gave it (in the target's time zone).
//
// On success it returns how many events were added and how many were
// replays. Otherwise it returns an error naming every bad event as
// usage[i], and the log is unchanged.
func (l *Log) Ingest(events []usage.Event, lookup func(contract uuid.UUID) (usage.Target, bool)) (added, replayed int, err error) {
	b, err := usage.Accept(events, lookup, l.stored)
	if err != nil {
		return 0, 0, err
	}
	if l.n+len(b.Events) > maxEvents {
		return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", "",
			fmt.Sprintf("the log holds %d events; %d more would exceed its capacity", l.n, len(b.Events)))
	}
	if l.groups == nil {
		l.groups = map[GroupKey]int32{}
	}
	var (
		lastKey GroupKey
		lastG   int32 = -1
	)
	for i, e := range b.Events {
		k := GroupKey{e.ContractID, e.ProductID}
		if k != lastKey || lastG < 0 {
			lastKey, lastG = k, l.group(k)
		}
		q, fits := toFixed(e.Quantity)
		l.append(e, lastG, b.Days[i], q, fits)
	}
	return len(b.Events), b.Replayed, nil
}

// stored returns the stored event with id, if any.
func (l *Log) stored(id string) (usage.Event, bool) {
	if i, ok := l.Find(id); ok {
		return l.Event(i), true
	}
	return usage.Event{}, false
}

// group returns the index of k's group, adding it when it is new.
func (l *Log) group(k GroupKey) int32 {
	if g, ok := l.groups[k]; ok {
		return g
	}
	g := int32(len(l.keys))
	l.keys = append(l.keys, k)
	l.events = append(l.events, nil)
	l.groups[k] = g
	if l.byContract == nil {
		l.byContract = map[uuid.UUID][]int32{}
	}
	l.byContract[k.ContractID] = append(l.byContract[k.ContractID], g)
	return g
}

func (l *Log) append(e usage.Event, g int32, day date.Date, q int64, fits bool) {
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

// AggregateGroups folds the events of the given groups whose ingest
// position (their index) lies in w into one [Total] per period of bounds
// (period k is the days [bounds[k], bounds[k+1])),
// reusing dst's memory. It reads only those groups' events, in ingest
// order across the groups, so that the latest of a day is the last
// accepted; events on days outside the bounds are skipped. Bounds must
// increase.
func (l *Log) AggregateGroups(dst []Total, groups []int32, bounds []date.Date, w usage.Window) []Total {
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
		if !w.Holds(int64(i)) {
			return
		}
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

// Since returns the indexes of the events of groups at or after index
// since whose day lies in [from, to], in ingest order.
func (l *Log) Since(groups []int32, from, to date.Date, since int) []int {
	var out []int
	for _, g := range groups {
		if g < 0 || int(g) >= len(l.events) {
			continue
		}
		list := l.events[g]
		k, _ := slices.BinarySearch(list, int32(since))
		for _, i := range list[k:] {
			if d := l.Day(int(i)); d >= from && d <= to {
				out = append(out, int(i))
			}
		}
	}
	slices.Sort(out)
	return out
}
