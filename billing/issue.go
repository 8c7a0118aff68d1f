package billing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

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
// (see [MarkBilled]), so that what arrives later for them is late.
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
	in, err := Input(ctx, st, org, id)
	if err != nil {
		return rating.Statement{}, err
	}
	for _, s := range in.Issued {
		if s.PeriodStart == periodStart {
			return s, nil
		}
	}
	open := in.Objects.ParentContracts[0].Start
	if n := len(in.Issued); n > 0 {
		open = in.Issued[n-1].PeriodEnd + 1
	}
	if periodStart < open {
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start",
			fmt.Sprintf("no billing period of the contract starts on %s", periodStart))
	}
	in.From, in.To = open, open
	got, err := rating.Rate(in)
	if err != nil {
		return rating.Statement{}, err
	}
	if len(got) == 0 || got[0].PeriodStart != periodStart {
		msg := fmt.Sprintf("no billing period of the contract starts on %s", periodStart)
		if len(got) > 0 {
			msg = fmt.Sprintf("statements are issued in period order: the next one to issue starts on %s, not %s",
				got[0].PeriodStart, periodStart)
		}
		return rating.Statement{}, pricekit.Errorf(pricekit.ErrInvalidInput, "billing", "period_start", msg)
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
	s.Issued, s.Number = true, len(in.Issued)+1
	data, err := json.Marshal(s)
	if err != nil {
		return rating.Statement{}, err
	}
	kept, err := st.Issue(ctx, org, id, store.Issued{Number: s.Number, PeriodStart: s.PeriodStart, Statement: data,
		Documents: fingerprint(in.Objects)})
	if err != nil {
		return rating.Statement{}, err
	}
	if err := markThrough(ctx, st, org, id, s.PeriodEnd); err != nil {
		return rating.Statement{}, err
	}
	out, err := decodeIssued([]store.Issued{kept})
	if err != nil {
		return rating.Statement{}, err
	}
	return out[0], nil
}

// markThrough marks the contract's usage billed through day, unless a
// mark reaches it already.
func markThrough(ctx context.Context, st store.UsageMarker, org, id uuid.UUID, day date.Date) error {
	marks, err := st.Marks(ctx, org, id)
	if err != nil {
		return err
	}
	if n := len(marks); n > 0 && marks[n-1].Through >= day {
		return nil
	}
	return st.Mark(ctx, org, id, day)
}

// Issued returns the issued statements of stored parent contract id, first
// first, as they were issued.
func Issued(ctx context.Context, st Reader, org, id uuid.UUID) ([]rating.Statement, error) {
	kept, err := st.Issued(ctx, org, id)
	if err != nil {
		return nil, err
	}
	return decodeIssued(kept)
}

// decodeIssued reads the statements a store kept. They are what Issue
// wrote, so a statement that does not read back is a store fault.
func decodeIssued(kept []store.Issued) ([]rating.Statement, error) {
	out := make([]rating.Statement, len(kept))
	for i, k := range kept {
		if err := json.Unmarshal(k.Statement, &out[i]); err != nil {
			return nil, fmt.Errorf("billing: issued statement %d does not read back: %w", k.Number, err)
		}
	}
	return out, nil
}

// fingerprint identifies a tree's documents, every version included: the
// hash of their JSON. Two equal fingerprints mean nothing the tree's
// rating reads was saved in between.
func fingerprint(objs contract.Objects) string {
	data, err := json.Marshal(objs)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}
