package usagelog

import (
	"hash/maphash"

	"github.com/google/uuid"

	"github.com/pricekit/pricekit/usage"
)

// contracts is a Log's table of the product contracts it has events for,
// or has checked events against: for each, what its events must fit (as
// the store last said) and its groups. One probe of the table gives an
// event both, where two maps took two lookups; it is open addressing over
// a hash of the id with a tag beside each slot, load at most 1/2, so a
// batch's probes are a few instructions each and their memory loads
// overlap.
type contracts struct {
	slots   []slot
	entries []centry
	seed    maphash.Seed
	gen     uint32 // targets of an older generation are asked again
	touched uint32 // what touch read, kept so the reads are not dropped
}

// centry is one product contract.
type centry struct {
	id     uuid.UUID
	target usage.Target
	gen    uint32 // the generation target was read in; 0: never
	known  bool
	groups [2]int32 // its events name its product or none: two groups at most; -1: none
}

func (c *contracts) hash(id uuid.UUID) uint64 { return maphash.Comparable(c.seed, id) }

// find returns the entry of id, or -1.
func (c *contracts) find(id uuid.UUID) int32 { return c.findHashed(id, c.hash(id)) }

// touch hashes the contract of each event i with ask[i] into hashes[i]
// and loads its first slot and entry, so that the finds that follow are
// served from the cache.
func (c *contracts) touch(events []usage.Event, ask []bool, hashes []uint64) {
	if len(c.slots) == 0 {
		return
	}
	mask := uint64(len(c.slots) - 1)
	var any uint32
	for i := range events {
		if ask[i] {
			h := c.hash(events[i].ContractID)
			hashes[i] = h
			any |= c.slots[h&mask].entry
		}
	}
	c.touched = any
}

// findHashed is find for an id whose hash is h.
func (c *contracts) findHashed(id uuid.UUID, h uint64) int32 {
	if len(c.slots) == 0 {
		return -1
	}
	tag, mask := uint32(h>>32), uint64(len(c.slots)-1)
	for p := h & mask; ; p = (p + 1) & mask {
		s := c.slots[p]
		if s.entry == 0 {
			return -1
		}
		if s.tag == tag && c.entries[s.entry-1].id == id {
			return int32(s.entry - 1)
		}
	}
}

// add adds an entry for id, which is not in the table, and returns it.
func (c *contracts) add(id uuid.UUID) int32 {
	if (len(c.entries)+1)*2 > len(c.slots) {
		c.grow(max(2*len(c.slots), 64))
	}
	e := int32(len(c.entries))
	c.entries = append(c.entries, centry{id: id, groups: [2]int32{-1, -1}})
	place(c.slots, int(e), c.hash(id))
	return e
}

func (c *contracts) grow(size int) {
	if c.slots == nil {
		c.seed = maphash.MakeSeed()
		c.gen = 1
	}
	c.slots = make([]slot, size)
	for e := range c.entries {
		place(c.slots, e, c.hash(c.entries[e].id))
	}
}

// forget makes every target be asked again: the documents changed.
func (c *contracts) forget() { c.gen++ }
