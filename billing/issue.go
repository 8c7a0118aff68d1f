package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
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
	l, err := load(ctx, st, org, id, true)
	if err != nil {
		return rating.Statement{}, err
	}
	for _, is := range l.index {
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
	// One rating from the last issued statement (or the contract's start)
	// through periodStart: the statement after the last issued one is the
	// open one, and periodStart must start it.
	n := len(l.index)
	from, open := l.in.Objects.ParentContracts[0].Start, 0
	if n > 0 {
		from, open = l.index[n-1].PeriodStart, 1
	}
	noPeriod := pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start",
		fmt.Sprintf("no billing period of the contract starts on %s", periodStart))
	if periodStart < from {
		return rating.Statement{}, noPeriod
	}
	l.in.From, l.in.To = from, periodStart
	got, err := rating.Rate(l.in)
	if err != nil {
		return rating.Statement{}, err
	}
	if len(got) <= open || got[len(got)-1].PeriodStart != periodStart {
		return rating.Statement{}, noPeriod
	}
	if len(got)-1 != open {
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start",
			fmt.Sprintf("statements are issued in period order: the next one to issue starts on %s, not %s",
				got[open].PeriodStart, periodStart))
	}
	s := got[open]
	if saw != nil {
		now, err1 := json.Marshal(s)
		then, err2 := json.Marshal(*saw)
		if err1 != nil || err2 != nil || !bytes.Equal(now, then) {
			return rating.Statement{}, pricekit.Errorf(pricekit.ErrConflict, "billing", "statement",
				fmt.Sprintf("the statement of %s changed since it was rated: rate it again and issue what it shows", periodStart))
		}
	}
	s.Issued, s.Number = true, n+1
	data, err := json.Marshal(s)
	if err != nil {
		return rating.Statement{}, err
	}
	kept, err := st.Issue(ctx, org, id, store.Issued{Number: s.Number, PeriodStart: s.PeriodStart, Statement: data,
		Documents: l.documentsOrNow(), Adjusts: adjusted(s), Position: pos, Through: s.PeriodEnd})
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

// documentsOrNow returns the tree's fingerprint, computed now when no
// statement was issued before.
func (l loaded) documentsOrNow() string {
	if l.documents == "" {
		return fingerprint(l.in.Objects)
	}
	return l.documents
}
