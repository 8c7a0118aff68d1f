package schedule_test

import (
	"encoding/json"
	"testing"

	"github.com/rickb777/date/v2"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/schedule"
)

func day(s string) date.Date { return date.MustParseISO(s) }

// span is a period written as days: [start, end) cut from [fullStart, fullEnd).
type span struct{ start, end, fullStart, fullEnd string }

func (s span) period() schedule.Period {
	return schedule.Period{Start: day(s.start), End: day(s.end), FullStart: day(s.fullStart), FullEnd: day(s.fullEnd)}
}

func full(start, end string) span { return span{start, end, start, end} }

func freq(t schedule.Type, n int, u schedule.Unit) schedule.BillingFrequency {
	return schedule.BillingFrequency{Type: t, Interval: n, Unit: u, Anchor: schedule.AnchorStart}
}

func TestPeriods(t *testing.T) {
	calendarDay := func(d int) schedule.BillingFrequency {
		f := freq(schedule.Calendar, 1, schedule.Month)
		f.Day = d
		return f
	}
	eq := func(f schedule.BillingFrequency) schedule.BillingFrequency { f.Eq = true; return f }
	tests := []struct {
		name              string
		f                 schedule.BillingFrequency
		start, end, until string // end "" is evergreen
		want              []span
	}{
		{
			name: "anniversary monthly from 31 Jan clamps to month ends without drifting",
			f:    freq(schedule.Anniversary, 1, schedule.Month), start: "2024-01-31", until: "2024-06-01",
			want: []span{
				full("2024-01-31", "2024-02-29"), full("2024-02-29", "2024-03-31"), full("2024-03-31", "2024-04-30"),
				full("2024-04-30", "2024-05-31"), full("2024-05-31", "2024-06-30"),
			},
		},
		{
			name: "anniversary yearly from 29 Feb lands on 28 Feb until the next leap year",
			f:    freq(schedule.Anniversary, 1, schedule.Year), start: "2024-02-29", until: "2028-03-01",
			want: []span{
				full("2024-02-29", "2025-02-28"), full("2025-02-28", "2026-02-28"), full("2026-02-28", "2027-02-28"),
				full("2027-02-28", "2028-02-29"), full("2028-02-29", "2029-02-28"),
			},
		},
		{
			name: "anniversary quarterly from 30 Nov",
			f:    freq(schedule.Anniversary, 1, schedule.Quarter), start: "2023-11-30", until: "2024-12-01",
			want: []span{
				full("2023-11-30", "2024-02-29"), full("2024-02-29", "2024-05-30"), full("2024-05-30", "2024-08-30"),
				full("2024-08-30", "2024-11-30"), full("2024-11-30", "2025-02-28"),
			},
		},
		{
			name: "anniversary daily",
			f:    freq(schedule.Anniversary, 1, schedule.Day), start: "2024-01-01", until: "2024-01-04",
			want: []span{full("2024-01-01", "2024-01-02"), full("2024-01-02", "2024-01-03"), full("2024-01-03", "2024-01-04")},
		},
		{
			name: "anniversary fortnightly",
			f:    freq(schedule.Anniversary, 2, schedule.Week), start: "2024-01-03", until: "2024-02-01",
			want: []span{full("2024-01-03", "2024-01-17"), full("2024-01-17", "2024-01-31"), full("2024-01-31", "2024-02-14")},
		},
		{
			name: "calendar monthly from 10 Aug starts with a partial period",
			f:    freq(schedule.Calendar, 1, schedule.Month), start: "2023-08-10", until: "2023-10-01",
			want: []span{{"2023-08-10", "2023-09-01", "2023-08-01", "2023-09-01"}, full("2023-09-01", "2023-10-01")},
		},
		{
			name: "calendar bi-monthly from 10 Jan uses the grid from 1 Jan",
			f:    freq(schedule.Calendar, 2, schedule.Month), start: "2024-01-10", until: "2024-05-01",
			want: []span{{"2024-01-10", "2024-03-01", "2024-01-01", "2024-03-01"}, full("2024-03-01", "2024-05-01")},
		},
		{
			name: "calendar weekly aligns to Monday",
			f:    freq(schedule.Calendar, 1, schedule.Week), start: "2024-01-10", until: "2024-01-22",
			want: []span{{"2024-01-10", "2024-01-15", "2024-01-08", "2024-01-15"}, full("2024-01-15", "2024-01-22")},
		},
		{
			name: "calendar daily is every day",
			f:    freq(schedule.Calendar, 1, schedule.Day), start: "2024-01-10", until: "2024-01-12",
			want: []span{full("2024-01-10", "2024-01-11"), full("2024-01-11", "2024-01-12")},
		},
		{
			name: "calendar quarterly aligns to 1 Apr",
			f:    freq(schedule.Calendar, 1, schedule.Quarter), start: "2024-05-15", until: "2024-10-01",
			want: []span{{"2024-05-15", "2024-07-01", "2024-04-01", "2024-07-01"}, full("2024-07-01", "2024-10-01")},
		},
		{
			name: "calendar yearly aligns to 1 Jan",
			f:    freq(schedule.Calendar, 1, schedule.Year), start: "2024-05-15", until: "2025-06-01",
			want: []span{{"2024-05-15", "2025-01-01", "2024-01-01", "2025-01-01"}, full("2025-01-01", "2026-01-01")},
		},
		{
			name: "calendar day 25 from the 16th bills the 16th to the 24th first",
			f:    calendarDay(25), start: "2024-01-16", until: "2024-03-01",
			want: []span{
				{"2024-01-16", "2024-01-25", "2023-12-25", "2024-01-25"},
				full("2024-01-25", "2024-02-25"), full("2024-02-25", "2024-03-25"),
			},
		},
		{
			name: "calendar day 31 is clamped to short months",
			f:    calendarDay(31), start: "2024-02-16", until: "2024-04-01",
			want: []span{
				{"2024-02-16", "2024-02-29", "2024-01-31", "2024-02-29"},
				full("2024-02-29", "2024-03-31"), full("2024-03-31", "2024-04-30"),
			},
		},
		{
			name: "calendar day 25 starting on the 25th has no partial period",
			f:    calendarDay(25), start: "2024-01-25", until: "2024-02-26",
			want: []span{full("2024-01-25", "2024-02-25"), full("2024-02-25", "2024-03-25")},
		},
		{
			name: "eq anniversary monthly is 30 days",
			f:    eq(freq(schedule.Anniversary, 1, schedule.Month)), start: "2024-01-31", until: "2024-04-01",
			want: []span{full("2024-01-31", "2024-03-01"), full("2024-03-01", "2024-03-31"), full("2024-03-31", "2024-04-30")},
		},
		{
			name: "eq calendar monthly starts on the 1st, then steps 30 days",
			f:    eq(freq(schedule.Calendar, 1, schedule.Month)), start: "2023-08-10", until: "2023-09-15",
			want: []span{{"2023-08-10", "2023-08-31", "2023-08-01", "2023-08-31"}, full("2023-08-31", "2023-09-30")},
		},
		{
			name: "eq quarterly twice is 182 days",
			f:    eq(freq(schedule.Anniversary, 2, schedule.Quarter)), start: "2024-01-01", until: "2024-07-02",
			want: []span{full("2024-01-01", "2024-07-01"), full("2024-07-01", "2024-12-30")},
		},
		{
			name: "end_date cuts the last period short",
			f:    freq(schedule.Anniversary, 1, schedule.Month), start: "2024-01-15", end: "2024-03-01", until: "2025-01-01",
			want: []span{full("2024-01-15", "2024-02-15"), {"2024-02-15", "2024-03-01", "2024-02-15", "2024-03-15"}},
		},
		{
			name: "end on a boundary leaves no empty period",
			f:    freq(schedule.Calendar, 1, schedule.Month), start: "2024-01-01", end: "2024-03-01", until: "2025-01-01",
			want: []span{full("2024-01-01", "2024-02-01"), full("2024-02-01", "2024-03-01")},
		},
		{
			name: "start and end inside one calendar period",
			f:    freq(schedule.Calendar, 1, schedule.Month), start: "2024-01-10", end: "2024-01-20", until: "2025-01-01",
			want: []span{{"2024-01-10", "2024-01-20", "2024-01-01", "2024-02-01"}},
		},
		{
			name: "until on or before start gives nothing",
			f:    freq(schedule.Anniversary, 1, schedule.Month), start: "2024-01-10", until: "2024-01-10",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.f.Validate())
			var end date.Date
			if tt.end != "" {
				end = day(tt.end)
			}
			got := tt.f.Periods(day(tt.start), end, day(tt.until))
			var want []schedule.Period
			for _, s := range tt.want {
				want = append(want, s.period())
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestPeriodsCalendarFirstPeriodProrates(t *testing.T) {
	periods := freq(schedule.Calendar, 1, schedule.Month).Periods(day("2023-08-10"), 0, day("2023-09-01"))
	require.Len(t, periods, 1)
	p := periods[0]
	assert.Equal(t, day("2023-08-31"), p.Last())
	assert.True(t, p.Partial())
	assert.Equal(t, 22, p.Days())
	assert.Equal(t, 31, p.FullDays())
	assert.Equal(t, "22/31", p.FactorText())
	assert.True(t, p.Factor().Equal(decimal.RequireFromString("0.7096774193548387")), "factor %s", p.Factor())
	got := p.Prorate(decimal.RequireFromString("50.00"), 2)
	assert.True(t, got.Equal(decimal.RequireFromString("35.48")), "prorated %s", got)
}

func TestPeriodsAreContiguous(t *testing.T) {
	// Whatever the frequency, periods tile [start, min(end, until)) without
	// gaps and each lies inside its full period.
	for _, typ := range []schedule.Type{schedule.Anniversary, schedule.Calendar} {
		for _, u := range []schedule.Unit{schedule.Day, schedule.Week, schedule.Month, schedule.Quarter, schedule.Year} {
			for _, n := range []int{1, 2, 5} {
				for _, eqv := range []bool{false, true} {
					f := freq(typ, n, u)
					f.Eq = eqv
					t.Run(typ.String()+"/"+schedule.Every{N: n, Unit: u}.String()+map[bool]string{true: "/eq", false: ""}[eqv], func(t *testing.T) {
						start, end := day("2023-11-30"), day("2027-03-17")
						periods := f.Periods(start, end, day("2030-01-01"))
						require.NotEmpty(t, periods)
						assert.Equal(t, start, periods[0].Start)
						assert.Equal(t, end, periods[len(periods)-1].End)
						for i, p := range periods {
							assert.Less(t, p.Start, p.End)
							assert.LessOrEqual(t, p.FullStart, p.Start)
							assert.LessOrEqual(t, p.End, p.FullEnd)
							if i > 0 {
								assert.Equal(t, periods[i-1].End, p.Start, "period %d", i)
							}
						}
					})
				}
			}
		}
	}
}

func TestClip(t *testing.T) {
	jan, feb := full("2024-01-01", "2024-02-01").period(), full("2024-02-01", "2024-03-01").period()
	tests := []struct {
		name       string
		start, end date.Date
		want       []schedule.Period
	}{
		{"inside both", day("2024-01-15"), day("2024-02-10"), []schedule.Period{
			span{"2024-01-15", "2024-02-01", "2024-01-01", "2024-02-01"}.period(),
			span{"2024-02-01", "2024-02-10", "2024-02-01", "2024-03-01"}.period(),
		}},
		{"no end", day("2024-02-05"), 0, []schedule.Period{span{"2024-02-05", "2024-03-01", "2024-02-01", "2024-03-01"}.period()}},
		{"covering all", day("2023-01-01"), day("2025-01-01"), []schedule.Period{jan, feb}},
		{"after all", day("2024-03-01"), 0, nil},
		{"ending where one starts", day("2023-12-01"), day("2024-02-01"), []schedule.Period{jan}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := schedule.Clip([]schedule.Period{jan, feb}, tt.start, tt.end)
			assert.Equal(t, tt.want, got)
			for _, p := range got {
				assert.Equal(t, p.Days() < p.FullDays(), p.Partial())
			}
		})
	}
}

func TestSimDates(t *testing.T) {
	pairs := func(days ...string) [][2]date.Date {
		var out [][2]date.Date
		for i := 0; i < len(days); i += 2 {
			out = append(out, [2]date.Date{day(days[i]), day(days[i+1])})
		}
		return out
	}
	tests := []struct {
		name       string
		f          schedule.BillingFrequency
		start, end string
		want       [][2]date.Date
	}{
		{"anniversary monthly, cut short", freq(schedule.Anniversary, 1, schedule.Month), "2023-01-01", "2023-03-15",
			pairs("2023-01-01", "2023-01-31", "2023-02-01", "2023-02-28", "2023-03-01", "2023-03-15")},
		{"calendar quarterly, partial both ends", freq(schedule.Calendar, 1, schedule.Quarter), "2023-02-10", "2023-08-20",
			pairs("2023-02-10", "2023-03-31", "2023-04-01", "2023-06-30", "2023-07-01", "2023-08-20")},
		{"one day", freq(schedule.Anniversary, 1, schedule.Year), "2023-05-05", "2023-05-05",
			pairs("2023-05-05", "2023-05-05")},
		{"daily", freq(schedule.Anniversary, 1, schedule.Day), "2023-12-30", "2024-01-01",
			pairs("2023-12-30", "2023-12-30", "2023-12-31", "2023-12-31", "2024-01-01", "2024-01-01")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := schedule.SimDates(tt.f, day(tt.start), day(tt.end))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("end before start", func(t *testing.T) {
		_, err := schedule.SimDates(schedule.Monthly(), day("2023-02-01"), day("2023-01-31"))
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		assert.Equal(t, "end_date", pricekit.First(err).Field)
	})
	t.Run("invalid frequency", func(t *testing.T) {
		_, err := schedule.SimDates(schedule.BillingFrequency{}, day("2023-01-01"), day("2023-01-31"))
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
	})
}

func TestValidate(t *testing.T) {
	with := func(change func(*schedule.BillingFrequency)) schedule.BillingFrequency {
		f := schedule.Monthly()
		change(&f)
		return f
	}
	tests := []struct {
		name  string
		f     schedule.BillingFrequency
		field string // "" means valid
	}{
		{"monthly", schedule.Monthly(), ""},
		{"calendar day 25", with(func(f *schedule.BillingFrequency) { f.Type, f.Day = schedule.Calendar, 25 }), ""},
		{"calendar yearly day 31", with(func(f *schedule.BillingFrequency) { f.Type, f.Unit, f.Day = schedule.Calendar, schedule.Year, 31 }), ""},
		{"zero type", with(func(f *schedule.BillingFrequency) { f.Type = 0 }), "type"},
		{"interval 0", with(func(f *schedule.BillingFrequency) { f.Interval = 0 }), "interval"},
		{"interval -3", with(func(f *schedule.BillingFrequency) { f.Interval = -3 }), "interval"},
		{"interval 1001", with(func(f *schedule.BillingFrequency) { f.Interval = 1001 }), "interval"},
		{"no unit", with(func(f *schedule.BillingFrequency) { f.Unit = 0 }), "frequency"},
		{"unknown unit", with(func(f *schedule.BillingFrequency) { f.Unit = 9 }), "frequency"},
		{"unknown anchor", with(func(f *schedule.BillingFrequency) { f.Anchor = 'X' }), "anchor"},
		{"day on anniversary", with(func(f *schedule.BillingFrequency) { f.Day = 25 }), "day"},
		{"day on calendar weeks", with(func(f *schedule.BillingFrequency) { f.Type, f.Unit, f.Day = schedule.Calendar, schedule.Week, 2 }), "day"},
		{"day 32", with(func(f *schedule.BillingFrequency) { f.Type, f.Day = schedule.Calendar, 32 }), "day"},
		{"day -1", with(func(f *schedule.BillingFrequency) { f.Type, f.Day = schedule.Calendar, -1 }), "day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, pricekit.ErrInvalidInput)
			assert.Equal(t, tt.field, pricekit.First(err).Field)
		})
	}
	t.Run("every problem is reported", func(t *testing.T) {
		err := schedule.BillingFrequency{}.Validate()
		require.ErrorIs(t, err, pricekit.ErrInvalidInput)
		for _, field := range []string{"type", "interval", "frequency", "anchor"} {
			assert.Contains(t, err.Error(), "schedule: "+field+": ")
		}
	})
}

func TestBillingFrequencyJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want schedule.BillingFrequency
	}{
		{"seed document", `{"display_name": "Test Billing Frequency", "type": 1, "interval": 1, "frequency": "D", "anchor": "S", "eq": false}`,
			schedule.BillingFrequency{DisplayName: "Test Billing Frequency", Type: schedule.Anniversary, Interval: 1, Unit: schedule.Day, Anchor: schedule.AnchorStart}},
		{"defaults", `{"frequency": "M"}`, schedule.Monthly()},
		{"nulls are defaults", `{"frequency": "M", "type": null, "interval": null, "anchor": null, "eq": null, "day": null}`, schedule.Monthly()},
		{"type by name, day, arrears, eq", `{"id": "3F1A6C2E-8D4B-4E7A-9C1D-0B2E5F7A9C01", "type": "calendar", "interval": 3, "frequency": "M", "anchor": "E", "eq": true, "day": 25}`,
			schedule.BillingFrequency{ID: [16]byte{0x3f, 0x1a, 0x6c, 0x2e, 0x8d, 0x4b, 0x4e, 0x7a, 0x9c, 0x1d, 0x0b, 0x2e, 0x5f, 0x7a, 0x9c, 0x01},
				Type: schedule.Calendar, Interval: 3, Unit: schedule.Month, Anchor: schedule.AnchorEnd, Eq: true, Day: 25}},
		{"anniversary by name", `{"type": "anniversary", "frequency": "W", "interval": 2}`,
			schedule.BillingFrequency{Type: schedule.Anniversary, Interval: 2, Unit: schedule.Week, Anchor: schedule.AnchorStart}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f schedule.BillingFrequency
			require.NoError(t, json.Unmarshal([]byte(tt.in), &f))
			assert.Equal(t, tt.want, f)

			out, err := json.Marshal(f)
			require.NoError(t, err)
			var again schedule.BillingFrequency
			require.NoError(t, json.Unmarshal(out, &again), "%s", out)
			assert.Equal(t, f, again)
		})
	}
}

func TestBillingFrequencyJSONRefusals(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		code  pricekit.Code
		field string
	}{
		{"empty document", `{}`, pricekit.ErrMissingInput, ""},
		{"null document", `null`, pricekit.ErrMissingInput, ""},
		{"not an object", `[1]`, pricekit.ErrInvalidInput, ""},
		{"unknown field", `{"frequency": "M", "invalidField": "invalidValue"}`, pricekit.ErrInvalidInput, "invalidField"},
		{"field given twice", `{"frequency": "M", "frequency": "D"}`, pricekit.ErrInvalidInput, "frequency"},
		{"frequency missing", `{"type": 1}`, pricekit.ErrInvalidInput, "frequency"},
		{"unknown frequency", `{"frequency": "X"}`, pricekit.ErrInvalidInput, "frequency"},
		{"lower-case frequency", `{"frequency": "m"}`, pricekit.ErrInvalidInput, "frequency"},
		{"frequency as a number", `{"frequency": 1}`, pricekit.ErrInvalidInput, "frequency"},
		{"interval 0", `{"frequency": "M", "interval": 0}`, pricekit.ErrInvalidInput, "interval"},
		{"interval -1", `{"frequency": "M", "interval": -1}`, pricekit.ErrInvalidInput, "interval"},
		{"interval 1.5", `{"frequency": "M", "interval": 1.5}`, pricekit.ErrInvalidInput, "interval"},
		{"interval 1.0", `{"frequency": "M", "interval": 1.0}`, pricekit.ErrInvalidInput, "interval"},
		{"interval as a string", `{"frequency": "M", "interval": "1"}`, pricekit.ErrInvalidInput, "interval"},
		{"interval 1e3", `{"frequency": "M", "interval": 1e3}`, pricekit.ErrInvalidInput, "interval"},
		{"interval huge", `{"frequency": "M", "interval": 99999999999}`, pricekit.ErrInvalidInput, "interval"},
		{"type 3", `{"frequency": "M", "type": 3}`, pricekit.ErrInvalidInput, "type"},
		{"type 1.5", `{"frequency": "M", "type": 1.5}`, pricekit.ErrInvalidInput, "type"},
		{"type as a number string", `{"frequency": "M", "type": "1"}`, pricekit.ErrInvalidInput, "type"},
		{"unknown type name", `{"frequency": "M", "type": "weekly"}`, pricekit.ErrInvalidInput, "type"},
		{"unknown anchor", `{"frequency": "M", "anchor": "X"}`, pricekit.ErrInvalidInput, "anchor"},
		{"eq as a string", `{"frequency": "M", "eq": "true"}`, pricekit.ErrInvalidInput, "eq"},
		{"day on an anniversary frequency", `{"frequency": "M", "type": 1, "day": 25}`, pricekit.ErrInvalidInput, "day"},
		{"day on a calendar week", `{"frequency": "W", "type": 2, "day": 1}`, pricekit.ErrInvalidInput, "day"},
		{"day 0", `{"frequency": "M", "type": 2, "day": 0}`, pricekit.ErrInvalidInput, "day"},
		{"day 32", `{"frequency": "M", "type": 2, "day": 32}`, pricekit.ErrInvalidInput, "day"},
		{"day as a string", `{"frequency": "M", "type": 2, "day": "25"}`, pricekit.ErrInvalidInput, "day"},
		{"malformed id", `{"frequency": "M", "id": "not-a-uuid"}`, pricekit.ErrInvalidInput, "id"},
		{"display_name as a number", `{"frequency": "M", "display_name": 5}`, pricekit.ErrInvalidInput, "display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := schedule.Monthly()
			err := json.Unmarshal([]byte(tt.in), &f)
			require.ErrorIs(t, err, tt.code)
			e := pricekit.First(err)
			require.NotNil(t, e)
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, schedule.Monthly(), f, "a refused document changes nothing")
		})
	}
}
