package usagelog_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit/internal/usagelog"
	"github.com/pricekit/pricekit/usage"
)

// chargesOf ingests quantities for contract A, one event each, over four
// days out of day order, and prices the period holding them under c; it
// returns the quantities ordered by day, then as ingested.
func chargesOf(t *testing.T, qs []decimal.Decimal, c usage.Charge) (usage.Charges, []decimal.Decimal) {
	t.Helper()
	pc := contractA
	var l usagelog.Log
	var evs []usage.Event
	byDay := make([][]decimal.Decimal, 4)
	for i, q := range qs {
		d := 3 - i%4 // ingested out of day order
		evs = append(evs, usage.Event{ID: fmt.Sprint(i), ContractID: pc, Date: day("2024-01-01") + date.Date(d), Quantity: q})
		byDay[d] = append(byDay[d], q)
	}
	if len(evs) > 0 {
		_, _, err := l.Ingest(evs, targets(nil))
		require.NoError(t, err)
	}
	g, _ := l.Group(usagelog.GroupKey{ContractID: pc})
	got := l.Charges([]int32{g}, []date.Date{day("2024-01-01"), day("2024-02-01")}, usage.Window{}, c)
	require.Len(t, got, 1)
	var ordered []decimal.Decimal
	for _, d := range byDay {
		ordered = append(ordered, d...)
	}
	return got[0], ordered
}

func TestChargesMatchDecimals(t *testing.T) {
	qs := []decimal.Decimal{dec("10"), dec("0.5"), dec("2500"), dec("99.999"), dec("123456789012345678901234.5"), dec("7")}
	for name, c := range map[string]usage.Charge{
		"rate only":         {Rate: dec("1.3")},
		"fee and bounds":    {Rate: dec("1.3"), Fee: dec("0.30"), Minimum: decimal.NewNullDecimal(dec("0.5")), Maximum: decimal.NewNullDecimal(dec("30"))},
		"free events":       {Rate: dec("2"), Free: 2},
		"all free":          {Rate: dec("2"), Free: 100},
		"tiny rate":         {Rate: dec("0.00000000000001"), Fee: dec("0.000001")},
		"equal bounds":      {Rate: dec("5"), Minimum: decimal.NewNullDecimal(dec("1")), Maximum: decimal.NewNullDecimal(dec("1"))},
		"huge fee, fits no": {Rate: dec("1"), Fee: dec("99999999999999999999")},
	} {
		t.Run(name, func(t *testing.T) {
			got, ordered := chargesOf(t, qs, c)
			want := usage.ChargeEach(c, ordered)
			assert.Truef(t, want.Equal(got), "want %+v, got %+v", want, got)
		})
	}
	// Without the huge quantity, the integer path prices; the free events
	// are the first by day (1 January's 400, ingested last), not the
	// first ingested.
	got, _ := chargesOf(t, []decimal.Decimal{dec("100"), dec("200"), dec("300"), dec("400")}, usage.Charge{Rate: dec("10"), Free: 1})
	assert.True(t, usage.Charges{Events: 3, Quantity: dec("600"), Amount: dec("60")}.Equal(got), "%+v", got)
}

// FuzzCharges prices quantities given as text, one per line, under a
// charge given as text, and checks the log's prices against decimals.
func FuzzCharges(f *testing.F) {
	f.Add("1.3", "0.30", "0.50", "25", int64(1), "1\n2.5\n0.000000001\n10000")
	f.Add("0.0000001", "0", "", "", int64(0), "12345678901234567890.123456789012345678\n7\n9223372036.854775807")
	f.Add("100", "1", "", "3", int64(5), "1\n1\n1\n1\n1\n1\n1")
	f.Fuzz(func(t *testing.T, rate, fee, minimum, maximum string, free int64, text string) {
		c := usage.Charge{Free: free}
		var err error
		if c.Rate, err = decimal.NewFromString(rate); err != nil {
			return
		}
		if c.Fee, err = decimal.NewFromString(fee); err != nil {
			return
		}
		for _, b := range []struct {
			s string
			d *decimal.NullDecimal
		}{{minimum, &c.Minimum}, {maximum, &c.Maximum}} {
			if b.s == "" {
				continue
			}
			v, err := decimal.NewFromString(b.s)
			if err != nil {
				return
			}
			*b.d = decimal.NewNullDecimal(v)
		}
		if c.Validate() != nil {
			return
		}
		var qs []decimal.Decimal
		for _, s := range strings.Split(text, "\n") {
			q, err := decimal.NewFromString(s)
			if err != nil || q.IsNegative() || (usage.Event{ContractID: uuid.New(), Date: day("2024-01-01"), Quantity: q}).Validate() != nil {
				continue
			}
			qs = append(qs, q)
		}
		got, ordered := chargesOf(t, qs, c)
		want := usage.ChargeEach(c, ordered)
		if !want.Equal(got) {
			t.Fatalf("charge %+v over %v: want %+v, got %+v", c, ordered, want, got)
		}
	})
}

// TestAnswerInOnePassAgrees: many requests answered by one pass over the
// log give what one walk per contract gives.
func TestAnswerInOnePassAgrees(t *testing.T) {
	f := newFleet(50, 4, 30) // 200 contracts
	l := f.log(t)
	var reqs []usage.Request
	for i, c := range f.contracts {
		want := usage.WantAll
		if i%3 == 0 {
			want = usage.WantSum
		}
		reqs = append(reqs, usage.Request{Contract: c, Bounds: quarter, Want: want})
	}
	reqs = append(reqs, usage.Request{Contract: uuid.New(), Bounds: quarter}) // no usage
	bulk := l.Answer(reqs)
	for i, r := range reqs {
		one := l.Answer([]usage.Request{r})[0] // one request: always walked
		require.Len(t, bulk[i], len(one))
		for k := range one {
			a, b := bulk[i][k], one[k]
			require.Truef(t, a.Count == b.Count && a.Sum.Equal(b.Sum) && a.Max.Equal(b.Max) && a.Latest.Equal(b.Latest),
				"request %d period %d: one pass %+v, walk %+v", i, k, a, b)
		}
	}
	// A contract asked for twice is answered twice, by walks.
	twice := append(reqs[:len(reqs):len(reqs)], reqs[0])
	got := l.Answer(twice)
	assert.True(t, got[0][0].Sum.Equal(got[len(got)-1][0].Sum))
}
