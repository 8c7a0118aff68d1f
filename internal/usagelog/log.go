package usagelog

import (
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
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

// Log is an append-only log of accepted usage events. Event i is the i-th
// event ever accepted: i is its ingest position. What aggregation reads is
// clustered by group (a product contract and the product its events name),
// so that aggregating a contract, or every contract in turn, reads memory
// in order:
//
//   - each event as a cell of 16 bytes: its position, its day (in the
//     parent contract's time zone, fixed when it was accepted) and its
//     quantity at [Scale] as an int64, or, when it does not fit, a mark and
//     the exact decimal in a side table. The cells of the newest events are
//     kept by group; every chunkSize events they are sealed into a segment
//     sorted by group, and segments of equal size are merged (as a binary
//     counter counts), so there are O(log n) of them and a group's cells in
//     each are one contiguous run;
//   - in ingest order, in chunks: each event's group, its timestamp as Unix
//     nanoseconds (or a mark for a date event), and its id in a byte arena,
//     found through an open-addressing index that serves idempotency only.
//
// A Log never drops or rewrites an event. The zero Log is empty and ready
// to use. A Log is not safe for concurrent use: a store guards it with its
// own lock (readers may share a read lock, since reading changes nothing).
type Log struct {
	chunks []*chunk // event i is event i%chunkSize of chunks[i/chunkSize]
	n      int

	big   []bigEntry          // quantities that do not fit, by event index
	times map[int32]time.Time // timestamps beyond Unix nanoseconds

	index []slot // open addressing over the events with an id, load at most 1/2
	nIDs  int
	seed  maphash.Seed

	keys []GroupKey
	ctab contracts // the product contracts: targets and groups

	// Working memory of an ingest, by the batch's event: its contract's
	// entry, and its id's hash.
	entryOf []int32
	hashOf  []uint64
	touched uint32 // what touch read, kept so the reads are not dropped

	segs     []segment // the sealed events, oldest first: positions [0, sealed)
	sealed   int
	open     [][]cell // by group: the cells of positions [sealed, n), in ingest order
	openUsed []int32  // the groups with open cells
}

// segment holds the cells of the positions [from, to), sorted by group and,
// within a group, by position: group groups[k]'s cells are
// cells[starts[k]:starts[k+1]].
type segment struct {
	from, to int32
	cells    []cell
	groups   []int32
	starts   []int32
}

// run returns the cells of group g in s (none when g has no events there).
func (s *segment) run(g int32) []cell {
	k, ok := slices.BinarySearch(s.groups, g)
	if !ok {
		return nil
	}
	return s.cells[s.starts[k]:s.starts[k+1]]
}

// slot is an entry of an open-addressing table (the id index, the
// contract table): what it holds (its index + 1; 0: empty) and the high
// half of its key's hash, compared before the key itself so that a probe
// rarely reads the key.
type slot struct {
	entry uint32
	tag   uint32
}

// place puts entry i, whose key hashes to h, in the first free slot from
// h on (linear probing; len(slots) is a power of two).
func place(slots []slot, i int, h uint64) {
	mask := uint64(len(slots) - 1)
	p := h & mask
	for slots[p].entry != 0 {
		p = (p + 1) & mask
	}
	slots[p] = slot{entry: uint32(i + 1), tag: uint32(h >> 32)}
}

// cell is one event as aggregation reads it.
type cell struct {
	pos int32 // its ingest position
	day int32
	qty int64 // at Scale; bigQty: see Log.big
}

// chunk holds what is kept in ingest order of up to chunkSize consecutive
// events. Full chunks are never copied again, so a growing log keeps at
// most one chunk of spare capacity.
type chunk struct {
	group []int32
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
	for _, g := range l.GroupsOf(k.ContractID) {
		if l.keys[g].ProductID == k.ProductID {
			return g, true
		}
	}
	return 0, false
}

// GroupOf returns the group of event i.
func (l *Log) GroupOf(i int) int32 { c, j := l.at(i); return c.group[j] }

// cellOf returns event i's cell: in the open cells of its group, or in the
// segment holding its position, found by binary searches.
func (l *Log) cellOf(i int) cell {
	c, j := l.at(i)
	g := c.group[j]
	var run []cell
	if i >= l.sealed {
		run = l.open[g]
	} else {
		k, _ := slices.BinarySearchFunc(l.segs, int32(i), func(s segment, p int32) int {
			switch {
			case s.to <= p:
				return -1
			case s.from > p:
				return 1
			}
			return 0
		})
		run = l.segs[k].run(g)
	}
	k, _ := slices.BinarySearchFunc(run, int32(i), func(c cell, p int32) int { return int(c.pos - p) })
	return run[k]
}

// runs calls f with every run of group g's cells: one per segment it has
// events in, and its open cells.
func (l *Log) runs(g int32, f func([]cell)) {
	if g < 0 || int(g) >= len(l.keys) {
		return
	}
	for k := range l.segs {
		if r := l.segs[k].run(g); len(r) > 0 {
			f(r)
		}
	}
	if r := l.open[g]; len(r) > 0 {
		f(r)
	}
}

// Day returns the day of event i.
func (l *Log) Day(i int) date.Date { return date.Date(l.cellOf(i).day) }

// add adds the event of cell c to t.
func (l *Log) add(t *Total, c cell) {
	if c.qty != bigQty {
		t.addFast(c.qty, key(c.day, c.pos))
		return
	}
	t.addBig(l.bigQuantity(int(c.pos)), key(c.day, c.pos))
}

// Quantity returns the quantity of event i.
func (l *Log) Quantity(i int) decimal.Decimal {
	if c := l.cellOf(i); c.qty != bigQty {
		return decimal.New(c.qty, -Scale)
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
		e.Date = l.Day(i)
	}
	return e
}

// Find returns the index of the event with the given id, if any.
func (l *Log) Find(id string) (int, bool) {
	if id == "" || len(l.index) == 0 {
		return 0, false
	}
	return l.probe(id, maphash.String(l.seed, id))
}

// probe finds the event with id, whose hash is h.
func (l *Log) probe(id string, h uint64) (int, bool) {
	tag, mask := uint32(h>>32), uint64(len(l.index)-1)
	for p := h & mask; ; p = (p + 1) & mask {
		s := l.index[p]
		if s.entry == 0 {
			return 0, false
		}
		if s.tag == tag && string(l.id(int(s.entry-1))) == id {
			return int(s.entry - 1), true
		}
	}
}

// rehash rebuilds the index with size slots from the events so far.
func (l *Log) rehash(size int) {
	if l.index == nil {
		l.seed = maphash.MakeSeed()
	}
	l.index = make([]slot, size)
	l.nIDs = 0
	// A block of ids at a time: hash them, touch their slots, place
	// them, so that the misses of a block overlap.
	var hashes [1024]uint64
	var events [1024]int32
	for from := 0; from < l.n; {
		n := 0
		for ; from < l.n && n < len(hashes); from++ {
			if id := l.id(from); len(id) > 0 {
				hashes[n], events[n] = maphash.Bytes(l.seed, id), int32(from)
				n++
			}
		}
		l.touch(hashes[:n])
		for k := range n {
			place(l.index, int(events[k]), hashes[k])
		}
		l.nIDs += n
	}
}

// Ingest checks a batch with [usage.AcceptBatch] — the one acceptance
// rule: valid events, known product contracts that they fit, replays of an
// id with the same payload only — and appends the events it accepts, each
// on the day the rule gave it (in the target's time zone).
//
// lookup is asked for a product contract's target the first time the log
// meets the contract, and again after [Log.ForgetTargets]; the log keeps
// the answers beside the contract's groups, so that one probe of its
// contract table serves an event.
//
// On success it returns how many events were added and how many were
// replays. Otherwise it returns an error naming every bad event as
// usage[i], and the log is unchanged.
func (l *Log) Ingest(events []usage.Event, lookup func(contract uuid.UUID) (usage.Target, bool)) (added, replayed int, err error) {
	if l.index == nil {
		l.rehash(1024) // the id hashes need the index's seed
	}
	if cap(l.entryOf) < len(events) {
		l.entryOf, l.hashOf = make([]int32, len(events)), make([]uint64, len(events))
	}
	l.entryOf, l.hashOf = l.entryOf[:len(events)], l.hashOf[:len(events)]
	b, err := usage.AcceptBatch(events, ingest{l, lookup})
	if err != nil {
		return 0, 0, err
	}
	if l.n+len(b.Events) > maxEvents {
		return 0, 0, pricekit.Errorf(pricekit.ErrInvalidInput, "usage", "",
			fmt.Sprintf("the log holds %d events; %d more would exceed its capacity", l.n, len(b.Events)))
	}
	// Room in the index first: a rehash places the ids of the events
	// already in the log, which the batch's are not yet.
	if (l.nIDs+len(b.Events))*2 > len(l.index) {
		size := len(l.index)
		for (l.nIDs+len(b.Events))*2 > size {
			size *= 2
		}
		l.rehash(size)
	}
	first := l.n
	for k, e := range b.Events {
		i := k
		if b.Index != nil {
			i = b.Index[k]
		}
		g := l.group(l.entryOf[i], e.ProductID)
		q, fits := toFixed(e.Quantity)
		l.append(e, g, b.Days[k], q, fits)
	}
	// The ids into the index in a pass of their own: independent stores
	// whose cache misses overlap.
	hashes := l.hashOf[:0] // the batch's hashes, in the order of b.Events, reusing the room
	for k := range b.Events {
		i := k
		if b.Index != nil {
			i = b.Index[k]
		}
		hashes = append(hashes, l.hashOf[i]) // k ≤ i: never overwrites a hash still to read
	}
	l.touch(hashes)
	for k, h := range hashes {
		if b.Events[k].ID != "" {
			place(l.index, first+k, h)
			l.nIDs++
		}
	}
	return len(b.Events), b.Replayed, nil
}

// touch loads the first index slot of each hash, so that the placing
// that follows finds them in the cache: independent loads, with no branch
// on what they read, overlap their misses.
func (l *Log) touch(hashes []uint64) {
	mask := uint64(len(l.index) - 1)
	var any uint32
	for _, h := range hashes {
		any |= l.index[h&mask].entry
	}
	l.touched = any
}

// ForgetTargets makes the log ask for every product contract's target
// again: the documents they come from changed.
func (l *Log) ForgetTargets() { l.ctab.forget() }

// ingest is the [usage.Lookup] of one Ingest: the log's contract table
// and id index, probed a batch at a time.
type ingest struct {
	l      *Log
	lookup func(uuid.UUID) (usage.Target, bool)
}

func (in ingest) Targets(events []usage.Event, ask []bool, targets []usage.Target, known []bool) {
	c := &in.l.ctab
	ent := in.l.entryOf
	// Touch every contract's first slot, then probe: the loads of the
	// first pass do not wait on each other, and the second finds them
	// cached.
	c.touch(events, ask, in.l.hashOf)
	for i := range events {
		ent[i] = -1
		if ask[i] {
			ent[i] = c.findHashed(events[i].ContractID, in.l.hashOf[i])
		}
	}
	for i := range events {
		if !ask[i] {
			continue
		}
		id := events[i].ContractID
		e := ent[i]
		if e < 0 {
			if e = c.find(id); e < 0 { // added for an earlier event of the batch?
				t, ok := in.lookup(id)
				if !ok {
					continue // unknown: known[i] stays false, and no entry is kept
				}
				e = c.add(id)
				c.entries[e].target, c.entries[e].known, c.entries[e].gen = t, true, c.gen
			}
			ent[i] = e
		}
		en := &c.entries[e]
		if en.gen != c.gen {
			en.target, en.known = in.lookup(id)
			en.gen = c.gen
		}
		targets[i], known[i] = en.target, en.known
	}
}

func (in ingest) Stored(events []usage.Event, ask []bool, found func(int, usage.Event)) {
	l := in.l
	h := l.hashOf
	for i := range events {
		if ask[i] {
			h[i] = maphash.String(l.seed, events[i].ID)
		}
	}
	if l.nIDs == 0 {
		return
	}
	// Touch every event's first slot, then probe: the loads of the first
	// pass do not wait on each other, and the second finds them cached.
	mask := uint64(len(l.index) - 1)
	var occupied []int32 // the events whose first slot is taken: all others are new ids
	for i := range events {
		if ask[i] && l.index[h[i]&mask].entry != 0 {
			occupied = append(occupied, int32(i))
		}
	}
	var pos []int32 // pairs of an event and the position of its stored one
	for _, i := range occupied {
		if p, ok := l.probe(events[i].ID, h[i]); ok {
			pos = append(pos, i, int32(p))
		}
	}
	for k := 0; k < len(pos); k += 2 {
		found(int(pos[k]), l.Event(int(pos[k+1])))
	}
}

// group returns the group of an event of contract entry e naming product
// (uuid.Nil: none), adding it when it is the first. An accepted event
// names the contract's own product or none, so a contract has two groups
// at most: groups[0] for events naming none, groups[1] for the others.
func (l *Log) group(e int32, product uuid.UUID) int32 {
	en := &l.ctab.entries[e]
	named := 0
	if product != uuid.Nil {
		named = 1
	}
	if g := en.groups[named]; g >= 0 {
		return g
	}
	g := int32(len(l.keys))
	l.keys = append(l.keys, GroupKey{en.id, product})
	l.open = append(l.open, nil)
	en.groups[named] = g
	return g
}

func (l *Log) append(e usage.Event, g int32, day date.Date, q int64, fits bool) {
	i := l.n
	if i&(chunkSize-1) == 0 && i>>chunkBits == len(l.chunks) {
		c := &chunk{}
		if i > 0 { // the first chunk grows as needed; later ones are made whole
			c = &chunk{group: make([]int32, 0, chunkSize), idEnd: make([]uint32, 0, chunkSize),
				ids: make([]byte, 0, len(l.chunks[len(l.chunks)-1].ids))} // ids as long as the last chunk's
		}
		l.chunks = append(l.chunks, c)
	}
	c := l.chunks[i>>chunkBits]
	l.n++
	c.group = append(c.group, g)
	if !fits {
		q = bigQty
		l.big = append(l.big, bigEntry{int32(i), e.Quantity})
	}
	if len(l.open[g]) == 0 {
		l.openUsed = append(l.openUsed, g)
	}
	l.open[g] = append(l.open[g], cell{pos: int32(i), day: int32(day), qty: q})
	if l.n-l.sealed == chunkSize {
		l.seal()
	}
	switch {
	case e.Timestamp.IsZero():
		if c.ts != nil {
			c.ts = append(c.ts, noTime)
		}
		l.appendID(c, e.ID)
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
	l.appendID(c, e.ID)
}

func (l *Log) appendID(c *chunk, id string) {
	c.ids = append(c.ids, id...)
	c.idEnd = append(c.idEnd, uint32(len(c.ids)))
}

var (
	minNano = time.Unix(0, bigTime+1)
	maxNano = time.Unix(0, math.MaxInt64)
)

// AggregateGroups returns the totals of the events of groups within w in
// each period of bounds: period k's at k. With sumOnly, only the count
// and the sum are kept (max and latest read zero), for a request that
// wants no more. It reuses dst's memory when it is large enough.
func (l *Log) AggregateGroups(dst []Total, groups []int32, bounds []date.Date, w usage.Window, sumOnly bool) []Total {
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
	lo, hi := int32(bounds[0]), int32(bounds[n])
	whole := w == usage.Window{}
	for _, g := range groups {
		l.runs(g, func(run []cell) {
			if n == 1 && sumOnly && whole {
				l.sumRun(&dst[0], run, lo, hi)
				return
			}
			if !whole {
				// A run is in ingest order: keep the window's part.
				if w.From > 0 {
					k, _ := slices.BinarySearchFunc(run, int32(min(w.From, math.MaxInt32)), func(c cell, p int32) int { return int(c.pos - p) })
					run = run[k:]
				}
				if w.Before > 0 {
					k, _ := slices.BinarySearchFunc(run, int32(min(w.Before, math.MaxInt32)), func(c cell, p int32) int { return int(c.pos - p) })
					run = run[:k]
				}
			}
			for _, c := range run {
				if c.day < lo || c.day >= hi || !w.Holds(int64(c.pos)) {
					continue
				}
				k := 0
				if n > 1 {
					k, _ = slices.BinarySearch(bounds, date.Date(c.day))
					if k == len(bounds) || bounds[k] != date.Date(c.day) {
						k--
					}
				}
				if sumOnly && c.qty != bigQty {
					t := &dst[k]
					t.n++
					var carry uint64
					t.lo, carry = bits.Add64(t.lo, uint64(c.qty), 0)
					t.hi += int64(carry)
					continue
				}
				l.add(&dst[k], c)
			}
		})
	}
	return dst
}

// sumRun adds the count and sum of a run's events on days [lo, hi) to t:
// the loop of the commonest request, one period's sum.
func (l *Log) sumRun(t *Total, run []cell, lo, hi int32) {
	var acc wide
	var count int64
	for _, c := range run {
		if c.day < lo || c.day >= hi {
			continue
		}
		if c.qty == bigQty {
			t.addBig(l.bigQuantity(int(c.pos)), key(c.day, c.pos))
			continue
		}
		count++
		var carry uint64
		acc.lo, carry = bits.Add64(acc.lo, uint64(c.qty), 0)
		acc.hi += int64(carry) // stored quantities are never negative
	}
	var carry uint64
	t.lo, carry = bits.Add64(t.lo, acc.lo, 0)
	t.hi += acc.hi + int64(carry)
	t.n += count
}

// seal moves the open cells into a new segment sorted by group, then
// merges it with the segments before it while they are no larger.
func (l *Log) seal() {
	slices.Sort(l.openUsed)
	seg := segment{from: int32(l.sealed), to: int32(l.n), cells: make([]cell, 0, l.n-l.sealed),
		groups: make([]int32, 0, len(l.openUsed)), starts: make([]int32, 0, len(l.openUsed)+1)}
	for _, g := range l.openUsed {
		seg.groups = append(seg.groups, g)
		seg.starts = append(seg.starts, int32(len(seg.cells)))
		run := l.open[g]
		seg.cells = append(seg.cells, run...)
		// A group keeps its room for the next chunk when it used more
		// than a quarter of it in this one: busy groups do not grow
		// their cells again chunk after chunk, and idle ones hold nothing.
		if len(run)*4 > cap(run) {
			l.open[g] = run[:0]
		} else {
			l.open[g] = nil
		}
	}
	seg.starts = append(seg.starts, int32(len(seg.cells)))
	l.openUsed = l.openUsed[:0]
	l.sealed = l.n
	l.segs = append(l.segs, seg)
	for k := len(l.segs); k >= 2 && len(l.segs[k-2].cells) <= len(l.segs[k-1].cells); k = len(l.segs) {
		l.segs = append(l.segs[:k-2], merge(l.segs[k-2], l.segs[k-1]))
	}
}

// merge joins two consecutive segments, a before b: each group's cells
// from a, then from b, so they stay in position order.
func merge(a, b segment) segment {
	m := segment{from: a.from, to: b.to, cells: make([]cell, 0, len(a.cells)+len(b.cells)),
		groups: make([]int32, 0, max(len(a.groups), len(b.groups))), starts: make([]int32, 0, len(a.groups)+len(b.groups)+1)}
	i, j := 0, 0
	for i < len(a.groups) || j < len(b.groups) {
		var g int32
		switch {
		case j == len(b.groups) || (i < len(a.groups) && a.groups[i] < b.groups[j]):
			g = a.groups[i]
		default:
			g = b.groups[j]
		}
		m.groups = append(m.groups, g)
		m.starts = append(m.starts, int32(len(m.cells)))
		if i < len(a.groups) && a.groups[i] == g {
			m.cells = append(m.cells, a.cells[a.starts[i]:a.starts[i+1]]...)
			i++
		}
		if j < len(b.groups) && b.groups[j] == g {
			m.cells = append(m.cells, b.cells[b.starts[j]:b.starts[j+1]]...)
			j++
		}
	}
	m.starts = append(m.starts, int32(len(m.cells)))
	return m
}

// GroupsOf returns the groups of product contract c's events (by the
// product they named), in the order they were first seen.
func (l *Log) GroupsOf(c uuid.UUID) []int32 {
	e := l.ctab.find(c)
	if e < 0 {
		return nil
	}
	pair := &l.ctab.entries[e].groups
	switch {
	case pair[0] >= 0 && pair[1] >= 0:
		return pair[:2:2]
	case pair[0] >= 0:
		return pair[:1:1]
	case pair[1] >= 0:
		return pair[1:2:2]
	}
	return nil
}

// Since returns the indexes of the events of groups at or after index
// since whose day lies in [from, to], in ingest order.
func (l *Log) Since(groups []int32, from, to date.Date, since int) []int {
	var out []int
	for _, g := range groups {
		l.runs(g, func(run []cell) {
			k, _ := slices.BinarySearchFunc(run, int32(since), func(c cell, p int32) int { return int(c.pos - p) })
			for _, c := range run[k:] {
				if d := date.Date(c.day); d >= from && d <= to {
					out = append(out, int(c.pos))
				}
			}
		})
	}
	slices.Sort(out)
	return out
}
