package billing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"reflect"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/rating"
	"github.com/pricekit/pricekit/store"
)

// Issuer is what issuing needs of a store.
type Issuer interface {
	Reader
	store.StatementKeeper
	store.UsageMarker
}

// Issue issues the statement of parent contract id whose period starts on
// periodStart (docs/statements.md) and returns it as issued: rated now,
// with Issued set and the next Number, and kept by the store, which gives
// it back unchanged from then on. The usage of its days is marked billed
// (see [MarkBilled]) in the same write, at the ingest position read before
// rating it, so that what arrives later for them — even while it is being
// issued — is late.
//
// Statements are issued in period order: issuing a statement twice
// returns the one kept; a period after the first one not issued, or a day
// that starts no period of the contract, is ErrInvalidInput. When saw is
// not nil it is the statement the host rated and showed: if rating now
// gives another one (usage or documents changed since), nothing is issued
// and Issue returns ErrConflict. So is a race with another issue of the
// same contract that came first with another period.
func Issue(ctx context.Context, st Issuer, org, id uuid.UUID, periodStart date.Date, saw *rating.Statement) (rating.Statement, error) {
	if periodStart == 0 {
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start", "period_start is required")
	}
	// The ingest position before rating: what comes after it, the rating
	// may not have seen, so it is late for the statement.
	pos, err := st.Position(ctx, org)
	if err != nil {
		return rating.Statement{}, err
	}
	in, err := input(ctx, st, org, id, true)
	if err != nil {
		return rating.Statement{}, err
	}
	index, err := st.IssuedIndex(ctx, org, id)
	if err != nil {
		return rating.Statement{}, err
	}
	for _, is := range index {
		if is.PeriodStart == periodStart {
			got, err := st.IssuedStatements(ctx, org, id, is.Number)
			if err != nil {
				return rating.Statement{}, err
			}
			out, err := decodeIssued(got, false)
			if err != nil {
				return rating.Statement{}, err
			}
			return out[0], nil
		}
	}
	open := in.Objects.ParentContracts[0].Start
	if n := len(index); n > 0 {
		last, err := in.IssuedFrom.Read([]int{n - 1})
		if err != nil {
			return rating.Statement{}, err
		}
		open = last[0].PeriodEnd + 1
	}
	if periodStart < open {
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start",
			fmt.Sprintf("no billing period of the contract starts on %s", periodStart))
	}
	// The period starting on periodStart, if the contract has one, must be
	// the open one.
	in.From, in.To = periodStart, periodStart
	if got, err := rating.Rate(in); err != nil {
		return rating.Statement{}, err
	} else if len(got) == 0 || got[0].PeriodStart != periodStart {
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start",
			fmt.Sprintf("no billing period of the contract starts on %s", periodStart))
	}
	in.From, in.To = open, open
	got, err := rating.Rate(in)
	if err != nil {
		return rating.Statement{}, err
	}
	if len(got) == 0 || got[0].PeriodStart != periodStart {
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start",
			fmt.Sprintf("statements are issued in period order: the next one to issue starts on %s, not %s",
				open, periodStart))
	}
	s := got[0]
	if saw != nil {
		now, err1 := json.Marshal(s)
		then, err2 := json.Marshal(*saw)
		if err1 != nil || err2 != nil || !bytes.Equal(now, then) {
			return rating.Statement{}, pricekit.Errorf(pricekit.ErrConflict, "billing", "statement",
				fmt.Sprintf("the statement of %s changed since it was rated: rate it again and issue what it shows", periodStart))
		}
	}
	s.Issued, s.Number = true, len(index)+1
	data, err := json.Marshal(s)
	if err != nil {
		return rating.Statement{}, err
	}
	kept, err := st.Issue(ctx, org, id, store.Issued{Number: s.Number, PeriodStart: s.PeriodStart, Statement: data,
		Documents: fingerprint(in.Objects), Adjusts: adjusted(s), Position: pos, Through: s.PeriodEnd})
	if err != nil {
		return rating.Statement{}, err
	}
	out, err := decodeIssued([]store.Issued{kept}, false)
	if err != nil {
		return rating.Statement{}, err
	}
	return out[0], nil
}

// adjusted lists the numbers of the statements s adjusts, in order.
func adjusted(s rating.Statement) []int {
	var out []int
	for _, l := range s.Lines {
		if a := l.Adjusts; a != nil && !slices.Contains(out, a.Number) {
			out = append(out, a.Number)
		}
	}
	slices.Sort(out)
	return out
}

// Issued returns the issued statements of stored parent contract id, first
// first, as they were issued.
func Issued(ctx context.Context, st Reader, org, id uuid.UUID) ([]rating.Statement, error) {
	index, err := st.IssuedIndex(ctx, org, id)
	if err != nil {
		return nil, err
	}
	numbers := make([]int, len(index))
	for i, is := range index {
		numbers[i] = is.Number
	}
	kept, err := st.IssuedStatements(ctx, org, id, numbers...)
	if err != nil {
		return nil, err
	}
	return decodeIssued(kept, false)
}

// kept reads a contract's issued statements from a store for rating
// ([rating.IssuedReader]): from its index, and the statements rating asks
// for. It holds a context for the length of one rating.
type kept struct {
	ctx       context.Context
	st        Reader
	org, id   uuid.UUID
	index     []store.Issued
	adjusting map[int][]int
	share     bool // the statements read are rating's alone, to read only
}

func newKept(ctx context.Context, st Reader, org, id uuid.UUID, index []store.Issued, share bool) *kept {
	k := &kept{ctx: ctx, st: st, org: org, id: id, index: index, adjusting: map[int][]int{}, share: share}
	for j, is := range index {
		for _, n := range is.Adjusts {
			k.adjusting[n-1] = append(k.adjusting[n-1], j)
		}
	}
	return k
}

func (k *kept) Len() int              { return len(k.index) }
func (k *kept) Adjusting(i int) []int { return k.adjusting[i] }

// Read reads the statements from the store.
func (k *kept) Read(indexes []int) ([]rating.Statement, error) {
	numbers := make([]int, len(indexes))
	for i, x := range indexes {
		numbers[i] = k.index[x].Number
	}
	got, err := k.st.IssuedStatements(k.ctx, k.org, k.id, numbers...)
	if err != nil {
		return nil, err
	}
	return decodeIssued(got, k.share)
}

// decodeIssued reads the statements a store kept. They are what Issue
// wrote, so a statement that does not read back is a store fault. An
// issued statement never changes, so each is decoded once and kept by its
// bytes (see decoded): rating a contract with years of issued statements
// reads them without parsing them again.
//
// With share, the statements share memory with the cache: for rating,
// which only reads them, and never for a caller.
func decodeIssued(kept []store.Issued, share bool) ([]rating.Statement, error) {
	out := make([]rating.Statement, len(kept))
	for i, k := range kept {
		s, err := decoded.get(k.Statement, share)
		if err != nil {
			return nil, fmt.Errorf("billing: issued statement %d does not read back: %w", k.Number, err)
		}
		out[i] = s
	}
	return out, nil
}

// decoded holds recently decoded issued statements by their JSON.
var decoded = statementCache{seed: maphash.MakeSeed()}

// statementCache maps the JSON of issued statements to the statements,
// bounded at about maxDecoded entries.
type statementCache struct {
	seed  maphash.Seed
	mu    sync.RWMutex
	byKey map[uint64][]decodedStatement
	count int
}

type decodedStatement struct {
	json []byte
	s    rating.Statement // never handed out: callers get copies
}

const maxDecoded = 1 << 14

// get returns the statement data holds: a copy the caller may change, or
// with share the cached one, to read only.
func (c *statementCache) get(data []byte, share bool) (rating.Statement, error) {
	h := maphash.Bytes(c.seed, data)
	c.mu.RLock()
	for _, d := range c.byKey[h] {
		if bytes.Equal(d.json, data) {
			c.mu.RUnlock()
			if share {
				return d.s, nil
			}
			return d.s.Clone(), nil
		}
	}
	c.mu.RUnlock()
	var s rating.Statement
	if err := json.Unmarshal(data, &s); err != nil {
		return rating.Statement{}, err
	}
	c.mu.Lock()
	if c.byKey == nil || c.count >= maxDecoded {
		c.byKey, c.count = map[uint64][]decodedStatement{}, 0 // a bound, not an eviction policy
	}
	c.byKey[h] = append(c.byKey[h], decodedStatement{json: bytes.Clone(data), s: s.Clone()})
	c.count++
	c.mu.Unlock()
	return s, nil
}

// fingerprint identifies a tree's documents, every version included: a
// hash of every field of every document, in bundle order. Two equal
// fingerprints mean nothing the tree's rating reads was saved in between.
// It walks the documents' fields by reflection, so a field added to a
// document is covered without a change here, and it writes no JSON: it
// runs on every rating of a contract with issued statements.
func fingerprint(objs contract.Objects) string {
	f := fingerprints.Get().(*fingerprinter)
	f.b = f.b[:0]
	f.value(reflect.ValueOf(&objs).Elem())
	sum := sha256.Sum256(f.b)
	fingerprints.Put(f)
	return hex.EncodeToString(sum[:16])
}

var fingerprints = sync.Pool{New: func() any { return &fingerprinter{b: make([]byte, 0, 4096)} }}

// fingerprinter writes the fields of a value into b, to hash at once.
type fingerprinter struct{ b []byte }

var decimalType = reflect.TypeFor[decimal.Decimal]()

func (f *fingerprinter) int(n int64) { f.b = binary.LittleEndian.AppendUint64(f.b, uint64(n)) }

func (f *fingerprinter) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == decimalType {
			// The coefficient and exponent: 5 and 5.0 differ, which only
			// makes a rating look again.
			d := v.Addr().Interface().(*decimal.Decimal)
			f.int(int64(d.Exponent()))
			if d.NumDigits() <= 18 {
				f.int(d.CoefficientInt64())
			} else {
				f.b = append(f.b, d.Coefficient().Bytes()...)
				f.int(int64(d.Sign()))
			}
			return
		}
		for i := range v.NumField() {
			f.value(v.Field(i))
		}
	case reflect.Slice:
		f.int(int64(v.Len()))
		for i := range v.Len() {
			f.value(v.Index(i))
		}
	case reflect.Array: // ids
		if v.Type().Elem().Kind() == reflect.Uint8 && v.CanAddr() {
			f.b = append(f.b, v.Bytes()...)
			return
		}
		for i := range v.Len() {
			f.value(v.Index(i))
		}
	case reflect.String:
		f.int(int64(v.Len()))
		f.b = append(f.b, v.String()...)
	case reflect.Bool:
		if v.Bool() {
			f.int(1)
		} else {
			f.int(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.int(int64(v.Uint()))
	default:
		panic("billing: no fingerprint for a " + v.Kind().String())
	}
}
