package usagelog_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the host has installed

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/usage"
)

var (
	contractA = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	contractB = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	productA  = uuid.MustParse("00000000-0000-0000-0000-0000000000a1")
	productB  = uuid.MustParse("00000000-0000-0000-0000-0000000000b1")
)

func day(s string) date.Date       { return date.MustParseISO(s) }
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func on(id string, c uuid.UUID, d, q string) usage.Event {
	return usage.Event{ID: id, ContractID: c, Date: day(d), Quantity: dec(q)}
}

// targets knows contract A (product A, 2024, UTC) and contract B (product
// B, evergreen from 2024-01-01, in loc).
func targets(loc *time.Location) func(uuid.UUID) (usage.Target, bool) {
	m := map[uuid.UUID]usage.Target{
		contractA: {ProductID: productA, Start: day("2024-01-01"), End: day("2024-12-31"), Location: time.UTC},
		contractB: {ProductID: productB, Start: day("2024-01-01"), Location: loc},
	}
	return func(id uuid.UUID) (usage.Target, bool) { t, ok := m[id]; return t, ok }
}

// fields lists the field of every *pricekit.Error in err.
func fields(err error) []string {
	var out []string
	for _, e := range pricekit.All(err) {
		out = append(out, e.Field)
	}
	return out
}

func TestIngestRefusals(t *testing.T) {
	stored := on("s1", contractA, "2024-01-10", "1")
	tests := []struct {
		name  string
		event usage.Event
		code  pricekit.Code
		field string
	}{
		{"negative quantity", on("u1", contractA, "2024-02-01", "-0.5"), pricekit.ErrInvalidInput, "usage[0].quantity"},
		{"no contract", on("u1", uuid.Nil, "2024-02-01", "1"), pricekit.ErrInvalidInput, "usage[0].contract_id"},
		{"no day", usage.Event{ID: "u1", ContractID: contractA, Quantity: dec("1")}, pricekit.ErrInvalidInput, "usage[0].date"},
		{"date and timestamp", usage.Event{ID: "u1", ContractID: contractA, Date: day("2024-02-01"),
			Timestamp: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Quantity: dec("1")}, pricekit.ErrInvalidInput, "usage[0].timestamp"},
		{"id too long", on(strings.Repeat("x", usage.MaxIDLength+1), contractA, "2024-02-01", "1"), pricekit.ErrInvalidInput, "usage[0].id"},
		{"unknown contract", on("u1", uuid.New(), "2024-02-01", "1"), pricekit.ErrUsageOutOfContract, "usage[0].contract_id"},
		{"another product", usage.Event{ID: "u1", ContractID: contractA, ProductID: productB, Date: day("2024-02-01"), Quantity: dec("1")},
			pricekit.ErrUsageOutOfContract, "usage[0].product_id"},
		{"before start", on("u1", contractA, "2023-12-31", "1"), pricekit.ErrUsageOutOfContract, "usage[0].date"},
		{"after end", on("u1", contractA, "2025-01-01", "1"), pricekit.ErrUsageOutOfContract, "usage[0].date"},
		{"timestamp after end", usage.Event{ID: "u1", ContractID: contractA,
			Timestamp: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Quantity: dec("1")}, pricekit.ErrUsageOutOfContract, "usage[0].timestamp"},
		{"stored id, other quantity", on("s1", contractA, "2024-01-10", "2"), pricekit.ErrDuplicateUsage, "usage[0].id"},
		{"stored id, other day", on("s1", contractA, "2024-01-11", "1"), pricekit.ErrDuplicateUsage, "usage[0].id"},
		{"stored id, other contract", on("s1", contractB, "2024-01-10", "1"), pricekit.ErrDuplicateUsage, "usage[0].id"},
		{"stored id, timestamp for date", usage.Event{ID: "s1", ContractID: contractA,
			Timestamp: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), Quantity: dec("1")}, pricekit.ErrDuplicateUsage, "usage[0].id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l usagelog.Log
			_, _, err := l.Ingest([]usage.Event{stored}, targets(time.UTC))
			require.NoError(t, err)

			_, _, err = l.Ingest([]usage.Event{tt.event}, targets(time.UTC))
			require.ErrorIs(t, err, tt.code)
			assert.Equal(t, []string{tt.field}, fields(err))
			assert.Equal(t, 1, l.Len(), "a refused batch writes nothing")
		})
	}
	t.Run("empty batch", func(t *testing.T) {
		var l usagelog.Log
		_, _, err := l.Ingest(nil, targets(time.UTC))
		require.ErrorIs(t, err, pricekit.ErrMissingInput)
	})
}

func TestIngestNamesEveryBadEvent(t *testing.T) {
	var l usagelog.Log
	_, _, err := l.Ingest([]usage.Event{on("s1", contractA, "2024-01-10", "1")}, targets(time.UTC))
	require.NoError(t, err)

	batch := []usage.Event{
		on("u0", contractA, "2024-02-01", "1"),
		on("u1", uuid.New(), "2024-02-01", "1"),
		on("u2", contractA, "2024-02-02", "1"),
		on("u3", contractA, "2025-06-01", "1"),
		on("u4", contractA, "2024-02-03", "-1"),
		on("s1", contractA, "2024-01-10", "2"),
		on("u0", contractA, "2024-02-01", "3"), // u0 again in the batch, other payload
	}
	_, _, err = l.Ingest(batch, targets(time.UTC))
	require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	require.ErrorIs(t, err, pricekit.ErrDuplicateUsage)
	assert.Equal(t, []string{"usage[1].contract_id", "usage[3].date", "usage[4].quantity", "usage[5].id", "usage[6].id"}, fields(err))

	assert.Equal(t, 1, l.Len())
	for _, id := range []string{"u0", "u2"} {
		_, ok := l.Find(id)
		assert.False(t, ok, "%s of a refused batch is not kept", id)
	}
	// The ids of the refused batch are free again.
	added, _, err := l.Ingest([]usage.Event{on("u0", contractA, "2024-02-01", "3")}, targets(time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 1, added)
}

// TestIngestRollbackAfterGrowth refuses a batch large enough to grow the id
// index, and checks that every stored id is still found and no refused one.
func TestIngestRollbackAfterGrowth(t *testing.T) {
	var l usagelog.Log
	var first []usage.Event
	for i := range 700 {
		first = append(first, on(fmt.Sprintf("a%d", i), contractA, "2024-03-01", "1"))
	}
	_, _, err := l.Ingest(first, targets(time.UTC))
	require.NoError(t, err)

	var second []usage.Event
	for i := range 5000 {
		second = append(second, on(fmt.Sprintf("b%d", i), contractA, "2024-03-02", "1"))
	}
	second = append(second, on("bad", contractA, "2024-03-02", "-1"))
	_, _, err = l.Ingest(second, targets(time.UTC))
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)

	assert.Equal(t, 700, l.Len())
	for i := range 700 {
		j, ok := l.Find(fmt.Sprintf("a%d", i))
		require.True(t, ok)
		assert.Equal(t, i, j)
	}
	for i := range 5000 {
		_, ok := l.Find(fmt.Sprintf("b%d", i))
		require.False(t, ok)
	}
}

func TestIngestReplay(t *testing.T) {
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	events := []usage.Event{
		on("u1", contractA, "2024-02-01", "5"),
		{ID: "u2", ContractID: contractA, Timestamp: at, Quantity: dec("7")},
		{ID: "u3", ContractID: contractA, Date: day("2024-02-02"), Quantity: dec("12345678901234567890.123456789012345678")},
	}
	var l usagelog.Log
	added, replayed, err := l.Ingest(events, targets(time.UTC))
	require.NoError(t, err)
	assert.Equal(t, [2]int{3, 0}, [2]int{added, replayed})

	respelled := []usage.Event{
		{ID: "u1", ContractID: contractA, ProductID: productA, Date: day("2024-02-01"), Quantity: dec("5.000000000000000")},
		{ID: "u2", ContractID: contractA, Timestamp: at.In(time.FixedZone("+02", 2*3600)), Quantity: dec("7.0")},
		{ID: "u3", ContractID: contractA, Date: day("2024-02-02"), Quantity: dec("12345678901234567890.1234567890123456780")},
		{ID: "u3", ContractID: contractA, Date: day("2024-02-02"), Quantity: dec("12345678901234567890.123456789012345678")},
	}
	added, replayed, err = l.Ingest(respelled, targets(time.UTC))
	require.NoError(t, err)
	assert.Equal(t, [2]int{0, 4}, [2]int{added, replayed})
	require.Equal(t, 3, l.Len())
	for i, e := range events {
		assert.True(t, e.SamePayload(l.Event(i)), "event %d: %+v", i, l.Event(i))
	}

	// Within one batch, a replay of an earlier event counts once.
	added, replayed, err = l.Ingest([]usage.Event{on("u9", contractA, "2024-02-01", "1"), on("u9", contractA, "2024-02-01", "1.0")}, targets(time.UTC))
	require.NoError(t, err)
	assert.Equal(t, [2]int{1, 1}, [2]int{added, replayed})

	// An event without id has no idempotency: it is added every time.
	noID := on("", contractA, "2024-02-01", "1")
	for range 2 {
		added, _, err = l.Ingest([]usage.Event{noID}, targets(time.UTC))
		require.NoError(t, err)
		assert.Equal(t, 1, added)
	}
	assert.Equal(t, 6, l.Len())
}

// TestIngestTimeZones checks that a timestamp's day is taken in the parent
// contract's zone: across both daylight saving changes of New York in 2024
// and for customers at UTC+14 and UTC−12.
func TestIngestTimeZones(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	tests := []struct {
		name string
		zone string
		at   time.Time
		want string
	}{
		{"New York before spring forward (EST, −5)", "America/New_York", time.Date(2024, 3, 10, 4, 30, 0, 0, time.UTC), "2024-03-09"},
		{"New York after spring forward (EDT, −4)", "America/New_York", time.Date(2024, 3, 11, 4, 30, 0, 0, time.UTC), "2024-03-11"},
		{"New York before fall back (EDT, −4)", "America/New_York", time.Date(2024, 11, 3, 4, 30, 0, 0, time.UTC), "2024-11-03"},
		{"New York after fall back (EST, −5)", "America/New_York", time.Date(2024, 11, 4, 4, 30, 0, 0, time.UTC), "2024-11-03"},
		{"Kiritimati (UTC+14)", "Pacific/Kiritimati", time.Date(2024, 3, 10, 10, 30, 0, 0, time.UTC), "2024-03-11"},
		{"Kiritimati just before midnight", "Pacific/Kiritimati", time.Date(2024, 3, 10, 9, 59, 59, 0, time.UTC), "2024-03-10"},
		{"UTC−12", "Etc/GMT+12", time.Date(2024, 3, 10, 11, 30, 0, 0, time.UTC), "2024-03-09"},
		{"UTC−12 at noon UTC", "Etc/GMT+12", time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC), "2024-03-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l usagelog.Log
			_, _, err := l.Ingest([]usage.Event{{ID: "t", ContractID: contractB, Timestamp: tt.at, Quantity: dec("1")}}, targets(load(tt.zone)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, l.Day(0).String())
		})
	}
	t.Run("UTC+14 first day of the contract", func(t *testing.T) {
		// 2023-12-31T10:00Z is already 1 January 2024 in Kiritimati, so it
		// fits a contract starting then; in UTC it does not.
		e := usage.Event{ID: "t", ContractID: contractB, Timestamp: time.Date(2023, 12, 31, 10, 0, 0, 0, time.UTC), Quantity: dec("1")}
		var l usagelog.Log
		_, _, err := l.Ingest([]usage.Event{e}, targets(load("Pacific/Kiritimati")))
		require.NoError(t, err)
		// The log keeps the targets it was given until told they changed.
		_, _, err = l.Ingest([]usage.Event{e}, targets(time.UTC))
		require.NoError(t, err, "a replay against the kept target")
		l.ForgetTargets()
		_, _, err = l.Ingest([]usage.Event{e}, targets(time.UTC))
		require.ErrorIs(t, err, pricekit.ErrUsageOutOfContract)
	})
}

func TestLogEvent(t *testing.T) {
	far := time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC) // beyond Unix nanoseconds
	events := []usage.Event{
		on("a", contractA, "2024-05-01", "0.000000001"),
		{ID: "b", ContractID: contractB, ProductID: productB, Timestamp: time.Date(2024, 5, 1, 23, 0, 0, 5, time.FixedZone("x", 3600)), Quantity: dec("9223372036.854775807")},
		{ID: "c", ContractID: contractB, Timestamp: far, Quantity: dec("9223372036.854775808")},
		on("", contractA, "2024-05-02", "0.0000000001"),
	}
	var l usagelog.Log
	_, _, err := l.Ingest(events, targets(time.UTC))
	require.NoError(t, err)
	require.Equal(t, len(events), l.Len())
	for i, e := range events {
		got := l.Event(i)
		assert.True(t, e.SamePayload(got), "event %d: want %+v, got %+v", i, e, got)
		assert.True(t, e.Quantity.Equal(l.Quantity(i)))
	}
	assert.Equal(t, 3, l.Groups(), "A; B naming its product; B not naming it")
}

func TestLogFindMissing(t *testing.T) {
	var l usagelog.Log
	_, ok := l.Find("x")
	assert.False(t, ok)
	_, _, err := l.Ingest([]usage.Event{on("x", contractA, "2024-01-01", "1")}, targets(time.UTC))
	require.NoError(t, err)
	_, ok = l.Find("")
	assert.False(t, ok)
	_, ok = l.Find("y")
	assert.False(t, ok)
}

func TestQueryRefusals(t *testing.T) {
	var l usagelog.Log
	tests := []struct {
		name string
		q    usagelog.Query
	}{
		{"no bounds", usagelog.Query{Slots: 1, Slot: []int32{0}}},
		{"one bound", usagelog.Query{Slots: 1, Slot: []int32{0}, Bounds: []date.Date{day("2024-01-01")}}},
		{"bounds not increasing", usagelog.Query{Slots: 1, Slot: []int32{0}, Bounds: []date.Date{day("2024-01-01"), day("2024-01-01")}}},
		{"slot out of range", usagelog.Query{Slots: 1, Slot: []int32{1}, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")}}},
		{"negative slots", usagelog.Query{Slots: -1, Bounds: []date.Date{day("2024-01-01"), day("2024-02-01")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Aggregate(nil, tt.q)
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		})
	}
}

// TestLogAcrossChunks fills more than one chunk of the columnar log, with a
// refused batch straddling a chunk boundary, and reads every event back.
func TestLogAcrossChunks(t *testing.T) {
	var l usagelog.Log
	var kept []usage.Event
	batch := func(from, n int, q string) []usage.Event {
		out := make([]usage.Event, n)
		for i := range out {
			out[i] = on(fmt.Sprintf("e%d", from+i), contractA, "2024-04-01", q)
			if (from+i)%1000 == 0 {
				out[i].Quantity = dec("12345678901234567890.123456789012345678")
			}
		}
		return out
	}
	first := batch(0, 65000, "1.5")
	_, _, err := l.Ingest(first, targets(time.UTC))
	require.NoError(t, err)
	kept = append(kept, first...)

	stamp := usage.Event{ID: "stamp", ContractID: contractA, Timestamp: time.Date(2024, 4, 1, 9, 0, 0, 0, time.UTC), Quantity: dec("3")}
	refused := append(batch(65000, 2000, "1"), stamp, on("bad", contractA, "2024-04-01", "-1"))
	_, _, err = l.Ingest(refused, targets(time.UTC))
	require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	require.Equal(t, 65000, l.Len())

	second := batch(65000, 70000, "2")
	second[500] = stamp // the first timestamp of the first chunk
	second[69000].Timestamp, second[69000].Date = stamp.Timestamp, 0
	_, _, err = l.Ingest(second, targets(time.UTC))
	require.NoError(t, err)
	kept = append(kept, second...)

	require.Equal(t, len(kept), l.Len())
	var ref reference
	for i, e := range kept {
		require.True(t, e.SamePayload(l.Event(i)), "event %d", i)
		j, ok := l.Find(e.ID)
		require.True(t, ok)
		require.Equal(t, i, j)
		ref.add(e.Quantity, e.Date)
	}
	totals, err := l.Aggregate(nil, usagelog.Query{Slot: []int32{0}, Slots: 1, Bounds: []date.Date{day("2024-04-01"), day("2024-04-02")}})
	require.NoError(t, err)
	assertTotal(t, ref, totals[0], "all")
}
