package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/contract"
	"github.com/pricekit/pricekit/store"
	"github.com/pricekit/pricekit/usage"
)

// A store keeps the issued statements of parent contracts
// (docs/statements.md) as they were given, numbered in order.
func issuedTests() []test {
	return []test{
		{"first issue", testIssueFirst},
		{"numbers in sequence", testIssueSequence},
		{"issuing twice returns the kept one", testIssueTwice},
		{"same number, another period", testIssueOtherPeriod},
		{"not a parent contract", testIssueNotFound},
		{"bad input/number 0", badIssue(func(is *store.Issued) { is.Number = 0 }, pricekit.ErrInvalidInput)},
		{"bad input/negative number", badIssue(func(is *store.Issued) { is.Number = -1 }, pricekit.ErrInvalidInput)},
		{"bad input/no period start", badIssue(func(is *store.Issued) { is.PeriodStart = 0 }, pricekit.ErrInvalidInput)},
		{"bad input/empty statement", badIssue(func(is *store.Issued) { is.Statement = nil }, pricekit.ErrMissingInput)},
		{"bad input/NUL in documents", badIssue(func(is *store.Issued) { is.Documents = "sha\x00" }, pricekit.ErrInvalidInput)},
		{"bad input/adjusts itself", badIssue(func(is *store.Issued) { is.Adjusts = []int{1} }, pricekit.ErrInvalidInput)},
		{"bad input/adjusts statement 0", badIssue(func(is *store.Issued) { is.Adjusts = []int{0} }, pricekit.ErrInvalidInput)},
		{"bad input/negative position", badIssue(func(is *store.Issued) { is.Position = -1 }, pricekit.ErrInvalidInput)},
		{"bad input/through beyond the limits", badIssue(func(is *store.Issued) { is.Through = day("9999-12-31") + 1 }, pricekit.ErrInvalidInput)},
		{"adjusts kept", testIssueAdjusts},
		{"index without statements", testIssuedIndex},
		{"statements by number", testIssuedStatements},
		{"statement byte for byte", testIssueBytes},
		{"position is the ingest position", testIssuePosition},
		{"organizations", testIssueOrganizations},
		{"an issued contract keeps its periods", testIssuedContractKeepsItsPeriods},
		{"concurrent/same statements", testIssueConcurrent},
		{"concurrent/other periods", testIssueConcurrentConflict},
	}
}

// statement returns the nth statement of a parent contract, for the month
// starting 2024-n-01: JSON with odd spacing, key order and escapes, that a
// store must not rewrite.
func statement(n int) store.Issued {
	return store.Issued{
		Number:      n,
		PeriodStart: day(fmt.Sprintf("2024-%02d-01", n)),
		Statement: fmt.Appendf(nil, "{\"total\" :\"1%d.00\",  \"issued\":true,\"number\": %d,\n\t\"lines\":[ ],"+
			"\"a\":\"\\u00e9 é\", \"z\":1e2 }\n", n, n),
		Documents: fmt.Sprintf("sha256:%02d", n),
	}
}

// issue issues is for parent contract id and fails the test when the store
// refuses it.
func issue(t *testing.T, s store.Store, org, id uuid.UUID, is store.Issued) store.Issued {
	t.Helper()
	got, err := s.Issue(t.Context(), org, id, is)
	require.NoError(t, err)
	return got
}

// issued lists the issued statements of parent contract id.
func issued(t *testing.T, s store.Store, org, id uuid.UUID) []store.Issued {
	t.Helper()
	got, err := s.Issued(t.Context(), org, id)
	require.NoError(t, err)
	return got
}

// assertIssued asserts that got is want as kept: the same number, day,
// bytes and fingerprint, and the position given.
func assertIssued(t *testing.T, want store.Issued, position int64, got store.Issued, msgAndArgs ...any) {
	t.Helper()
	want.Position = position
	assert.Equal(t, want, got, msgAndArgs...)
}

func testIssueFirst(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	assert.Empty(t, issued(t, s, org, tr.parent.ID), "a parent contract with none gives none")
	got := issue(t, s, org, tr.parent.ID, statement(1))
	assert.GreaterOrEqual(t, got.Position, int64(0))
	assertIssued(t, statement(1), got.Position, got)
	list := issued(t, s, org, tr.parent.ID)
	require.Len(t, list, 1)
	assertIssued(t, statement(1), got.Position, list[0])
}

// testIssueSequence checks that numbers follow each other: one that skips
// a number is a conflict and keeps nothing.
func testIssueSequence(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	for _, n := range []int{2, 3} {
		_, err := s.Issue(t.Context(), org, tr.parent.ID, statement(n))
		require.ErrorIs(t, err, store.ErrConflict, "statement %d before statement 1", n)
	}
	assert.Empty(t, issued(t, s, org, tr.parent.ID))
	issue(t, s, org, tr.parent.ID, statement(1))
	_, err := s.Issue(t.Context(), org, tr.parent.ID, statement(3))
	require.ErrorIs(t, err, store.ErrConflict, "statement 3 before statement 2")
	require.Len(t, issued(t, s, org, tr.parent.ID), 1, "a refused issue keeps nothing")
	issue(t, s, org, tr.parent.ID, statement(2))
	issue(t, s, org, tr.parent.ID, statement(3))
	list := issued(t, s, org, tr.parent.ID)
	require.Len(t, list, 3)
	for i, is := range list {
		assertIssued(t, statement(i+1), is.Position, is, "by number")
	}
}

// testIssueTwice issues a statement again, after usage came in and with
// other bytes: the kept one comes back unchanged, and nothing is added.
func testIssueTwice(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	first := issue(t, s, org, tr.parent.ID, statement(1))
	issue(t, s, org, tr.parent.ID, statement(2))
	_, err := s.Ingest(t.Context(), org, []usage.Event{event("u1", tr.product.ID, "2024-02-01", "5")})
	require.NoError(t, err)

	again := statement(1)
	again.Statement = []byte(`{"total":"99.00"}`)
	again.Documents = "sha256:other"
	got := issue(t, s, org, tr.parent.ID, again)
	assertIssued(t, statement(1), first.Position, got, "the kept statement, same bytes, same position")
	list := issued(t, s, org, tr.parent.ID)
	require.Len(t, list, 2)
	assertIssued(t, statement(1), first.Position, list[0])
}

// testIssueOtherPeriod issues a kept number for another period: a
// conflict, and the kept one stays.
func testIssueOtherPeriod(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	first := issue(t, s, org, tr.parent.ID, statement(1))
	other := statement(1)
	other.PeriodStart = day("2024-02-01")
	_, err := s.Issue(t.Context(), org, tr.parent.ID, other)
	require.ErrorIs(t, err, store.ErrConflict)
	assert.Equal(t, []store.Issued{first}, issued(t, s, org, tr.parent.ID))
}

// testIssueNotFound issues for ids that are not stored parent contracts.
func testIssueNotFound(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	for name, id := range map[string]uuid.UUID{
		"unknown id":       uuid.New(),
		"sub contract":     tr.sub.ID,
		"product contract": tr.product.ID,
		"tier plan":        tr.plan.ID,
		"customer":         tr.customer.ID,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Issue(t.Context(), org, id, statement(1))
			require.ErrorIs(t, err, store.ErrNotFound)
			_, err = s.Issued(t.Context(), org, id)
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
	assert.Empty(t, issued(t, s, org, tr.parent.ID))
}

// badIssue issues statement 1 spoilt by spoil and requires code, and
// nothing kept: statement 1 can still be issued after.
func badIssue(spoil func(*store.Issued), code pricekit.Code) func(*testing.T, store.Store) {
	return func(t *testing.T, s store.Store) {
		org, tr := usageTree(t, s)
		bad := statement(1)
		spoil(&bad)
		_, err := s.Issue(t.Context(), org, tr.parent.ID, bad)
		require.ErrorIs(t, err, code)
		assert.Empty(t, issued(t, s, org, tr.parent.ID), "nothing is kept")
		got := issue(t, s, org, tr.parent.ID, statement(1))
		assertIssued(t, statement(1), got.Position, got)
	}
}

// issueThree issues statements 1 to 3 of the tree's parent contract, the
// third adjusting the first two, and returns them as kept.
func issueThree(t *testing.T, s store.Store, org uuid.UUID, tr tree) []store.Issued {
	t.Helper()
	third := statement(3)
	third.Adjusts = []int{1, 2}
	return []store.Issued{issue(t, s, org, tr.parent.ID, statement(1)), issue(t, s, org, tr.parent.ID, statement(2)),
		issue(t, s, org, tr.parent.ID, third)}
}

// testIssueAdjusts checks that the numbers a statement adjusts are kept as
// given, and that out of order they are refused.
func testIssueAdjusts(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	fourth := statement(4)
	fourth.Adjusts = []int{2, 1}
	kept := issueThree(t, s, org, tr)
	assert.Equal(t, []int{1, 2}, kept[2].Adjusts)
	assert.Nil(t, kept[0].Adjusts, "a statement adjusting none")
	_, err := s.Issue(t.Context(), org, tr.parent.ID, fourth)
	require.ErrorIs(t, err, store.ErrInvalidInput, "adjusts out of order")
	list := issued(t, s, org, tr.parent.ID)
	assert.Equal(t, kept, list)
	list[2].Adjusts[0] = 9
	assert.Equal(t, []int{1, 2}, issued(t, s, org, tr.parent.ID)[2].Adjusts, "Issued returns a copy")
}

// testIssuedIndex checks that IssuedIndex lists the issued statements as
// Issued does, without the statements.
func testIssuedIndex(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	index, err := s.IssuedIndex(t.Context(), org, tr.parent.ID)
	require.NoError(t, err)
	assert.Empty(t, index)
	want := issueThree(t, s, org, tr)
	for i := range want {
		want[i].Statement = nil
	}
	index, err = s.IssuedIndex(t.Context(), org, tr.parent.ID)
	require.NoError(t, err)
	assert.Equal(t, want, index)
	for _, id := range []uuid.UUID{uuid.New(), tr.sub.ID} {
		_, err = s.IssuedIndex(t.Context(), org, id)
		require.ErrorIs(t, err, store.ErrNotFound)
	}
	_, err = s.IssuedIndex(t.Context(), uuid.New(), tr.parent.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "another organization")
}

// testIssuedStatements checks that IssuedStatements returns the statements
// asked for, in the order asked, and refuses a number not issued.
func testIssuedStatements(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	kept := issueThree(t, s, org, tr)
	got, err := s.IssuedStatements(t.Context(), org, tr.parent.ID, 3, 1)
	require.NoError(t, err)
	assert.Equal(t, []store.Issued{kept[2], kept[0]}, got)
	got, err = s.IssuedStatements(t.Context(), org, tr.parent.ID)
	require.NoError(t, err)
	assert.Empty(t, got)

	twice, err := s.IssuedStatements(t.Context(), org, tr.parent.ID, 3, 3)
	require.NoError(t, err)
	require.Len(t, twice, 2)
	twice[0].Statement[0], twice[0].Adjusts[0] = 'X', 9
	assert.Equal(t, kept[2], twice[1], "each statement given is a copy of its own")
	again, err := s.IssuedStatements(t.Context(), org, tr.parent.ID, 3)
	require.NoError(t, err)
	assert.Equal(t, []store.Issued{kept[2]}, again, "the kept statement is not the caller's")

	for name, c := range map[string]struct {
		org, id uuid.UUID
		numbers []int
	}{
		"number not issued":    {org, tr.parent.ID, []int{1, 4}},
		"number 0":             {org, tr.parent.ID, []int{0}},
		"not a parent":         {org, tr.sub.ID, []int{1}},
		"unknown id":           {org, uuid.New(), []int{1}},
		"another organization": {uuid.New(), tr.parent.ID, []int{1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.IssuedStatements(t.Context(), c.org, c.id, c.numbers...)
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}

// testIssueBytes checks that the statement comes back byte for byte, and
// that neither the bytes given nor those returned are the store's.
func testIssueBytes(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	in := statement(1)
	in.Statement = []byte("{ \"z\" : 1,\"a\":[1 ,2],  \"m\":{\"y\":null,\"b\":\"\\u00fc\"},\"n\":1.50 }\r\n")
	want := string(in.Statement)
	got := issue(t, s, org, tr.parent.ID, in)
	in.Statement[0] = 'X'
	assert.Equal(t, want, string(got.Statement), "Issue returns the bytes given")
	got.Statement[1] = 'Y'
	list := issued(t, s, org, tr.parent.ID)
	require.Len(t, list, 1)
	assert.Equal(t, want, string(list[0].Statement), "Issued returns the bytes given")
	list[0].Statement[2] = 'Z'
	again := statement(1)
	got = issue(t, s, org, tr.parent.ID, again)
	assert.Equal(t, want, string(got.Statement), "issuing again returns the bytes kept")
}

// testIssuePosition checks that a statement keeps the ingest position it
// was rated at, read with Position before the rating, and that the mark
// its issue makes holds the same position: the events accepted from it on
// are exactly those that came later, even one accepted between the read
// and the issue.
func testIssuePosition(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	_, err := s.Ingest(t.Context(), org, []usage.Event{
		event("u1", tr.product.ID, "2024-01-05", "1"), event("u2", tr.product.ID, "2024-01-06", "2")})
	require.NoError(t, err)
	pos, err := s.Position(t.Context(), org)
	require.NoError(t, err)
	between := []usage.Event{event("u3", tr.product.ID, "2024-01-07", "3")}
	_, err = s.Ingest(t.Context(), org, between)
	require.NoError(t, err)
	is := statement(1)
	is.Position, is.Through = pos, day("2024-01-31")
	first := issue(t, s, org, tr.parent.ID, is)
	assert.Equal(t, pos, first.Position)
	assert.Zero(t, first.Through, "Through is an instruction, not kept")

	marks, err := s.Marks(t.Context(), org, tr.parent.ID)
	require.NoError(t, err)
	require.Len(t, marks, 1, "the issue marks the usage billed")
	assert.Equal(t, usage.Mark{Through: day("2024-01-31"), Position: pos}, marks[0])

	since, err := s.UsageSince(t.Context(), org, []uuid.UUID{tr.product.ID}, day("2024-01-01"), day("2024-12-31"), first.Position)
	require.NoError(t, err)
	var after []usage.Event
	for _, e := range since {
		after = append(after, e.Event)
	}
	assertEvents(t, between, after) // the event accepted between the read and the issue came later

	// A mark that reaches the day already is left alone; a position
	// beyond now is refused.
	again := statement(2)
	again.Position, again.Through = pos, day("2024-01-15")
	issue(t, s, org, tr.parent.ID, again)
	marks, err = s.Marks(t.Context(), org, tr.parent.ID)
	require.NoError(t, err)
	assert.Len(t, marks, 1)
	now, err := s.Position(t.Context(), org)
	require.NoError(t, err)
	assert.Greater(t, now, pos)
	future := statement(3)
	future.Position = now + 1
	_, err = s.Issue(t.Context(), org, tr.parent.ID, future)
	require.ErrorIs(t, err, store.ErrInvalidInput)
	assert.Len(t, issued(t, s, org, tr.parent.ID), 2, "nothing kept")
}

// testIssueOrganizations checks that the issued statements of one
// organization are invisible to another.
func testIssueOrganizations(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	other, theirs := usageTree(t, s)
	mine := issue(t, s, org, tr.parent.ID, statement(1))
	_, err := s.Issued(t.Context(), other, tr.parent.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "another organization's parent contract")
	_, err = s.Issue(t.Context(), other, tr.parent.ID, statement(2))
	require.ErrorIs(t, err, store.ErrNotFound)

	assert.Empty(t, issued(t, s, other, theirs.parent.ID))
	in := statement(1)
	in.Statement = []byte(`{"theirs":true}`)
	got := issue(t, s, other, theirs.parent.ID, in)
	assert.Equal(t, 1, got.Number, "numbers are per parent contract")
	assert.Equal(t, []store.Issued{mine}, issued(t, s, org, tr.parent.ID))
	assert.Equal(t, []store.Issued{got}, issued(t, s, other, theirs.parent.ID))
}

// issuers is how many goroutines the concurrent issues run.
const issuers = 20

// testIssueConcurrent has every goroutine issue statements 1 to 5 of one
// contract at once, the same periods: one sequence is kept, and every
// goroutine gets the kept statement of each number.
func testIssueConcurrent(t *testing.T, s store.Store) {
	const statements = 5
	org, tr := usageTree(t, s)
	got := make([][]store.Issued, issuers)
	together(issuers, func(g int) {
		for n := 1; n <= statements; n++ {
			is := statement(n)
			is.Statement = fmt.Appendf(nil, `{"by":%d,"number":%d}`, g, n)
			kept, err := s.Issue(t.Context(), org, tr.parent.ID, is)
			if !assert.NoError(t, err, "goroutine %d, statement %d", g, n) {
				return
			}
			got[g] = append(got[g], kept)
		}
	})
	list := issued(t, s, org, tr.parent.ID)
	require.Len(t, list, statements, "one statement per number")
	for i, is := range list {
		assert.Equal(t, i+1, is.Number)
		assert.Equal(t, statement(i+1).PeriodStart, is.PeriodStart)
		assert.Regexp(t, fmt.Sprintf(`^\{"by":\d+,"number":%d\}$`, i+1), string(is.Statement))
	}
	for g := range got {
		assert.Equal(t, list, got[g], "goroutine %d got the kept statements", g)
	}
}

// testIssueConcurrentConflict has every goroutine issue statement 1 of one
// contract for its own period at once: exactly one is kept, the others are
// conflicts.
func testIssueConcurrentConflict(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	var wins atomic.Int64
	var won atomic.Value
	together(issuers, func(g int) {
		is := statement(1)
		is.PeriodStart = day("2024-01-01").AddDate(0, 0, g)
		kept, err := s.Issue(t.Context(), org, tr.parent.ID, is)
		switch {
		case err == nil:
			wins.Add(1)
			won.Store(kept)
		default:
			assert.ErrorIs(t, err, store.ErrConflict)
		}
	})
	require.Equal(t, int64(1), wins.Load())
	assert.Equal(t, []store.Issued{won.Load().(store.Issued)}, issued(t, s, org, tr.parent.ID))
}

// testIssuedContractKeepsItsPeriods checks that a parent contract with
// issued statements keeps its start date, currency and billing frequency
// (invalid_input, nothing written), while its end date stays a
// correction.
func testIssuedContractKeepsItsPeriods(t *testing.T, s store.Store) {
	org, tr := usageTree(t, s)
	issue(t, s, org, tr.parent.ID, statement(1))
	before := take(t, s, org)
	for name, change := range map[string]func(p *contract.ParentContract){
		"start_date":        func(p *contract.ParentContract) { p.Start++ },
		"currency":          func(p *contract.ParentContract) { p.Currency = "JPY" },
		"billing_frequency": func(p *contract.ParentContract) { p.BillingFrequency = tr.freq.ID },
	} {
		p := tr.parent.Clone()
		change(&p)
		_, err := s.Save(t.Context(), org, store.Batch{Objects: contract.Objects{ParentContracts: []contract.ParentContract{p}}})
		require.ErrorIs(t, err, store.ErrInvalidInput, name)
		assert.Equal(t, "parent_contracts[0]."+name, pricekit.First(err).Field)
		unchanged(t, s, org, before)
	}
	p := tr.parent.Clone()
	p.End = day("2024-06-30")
	save(t, s, org, contract.Objects{ParentContracts: []contract.ParentContract{p}})
}
