package schedule

import (
	"encoding/json"
	"errors"
	"fmt"

	"time"

	"github.com/google/uuid"
	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
	"github.com/pricekit/pricekit/internal/limits"
)

// Type says how periods align: to the contract's start (anniversary) or to
// calendar boundaries.
type Type byte

// The types of docs/periods.md, written 1 and 2 (or "anniversary", "calendar").
const (
	Anniversary Type = 1
	Calendar    Type = 2
)

// String returns "anniversary" or "calendar".
func (t Type) String() string {
	switch t {
	case Anniversary:
		return "anniversary"
	case Calendar:
		return "calendar"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Anchor says where a period's fixed fees are charged: on the statement of
// the period's start (in advance) or of its end (in arrears).
type Anchor byte

// The anchors of docs/periods.md, written "S" and "E".
const (
	AnchorStart Anchor = 'S'
	AnchorEnd   Anchor = 'E'
)

// String returns "S" or "E".
func (a Anchor) String() string {
	if a == AnchorStart || a == AnchorEnd {
		return string(rune(a))
	}
	return fmt.Sprintf("Anchor(%d)", int(a))
}

// BillingFrequency is the cadence of a contract's billing periods (docs/periods.md):
// Interval × Unit, aligned to the contract's start or to the calendar,
// optionally in periods of equal length. It is an entity, stored by id and
// shared by many contracts.
//
// The zero BillingFrequency is invalid; [Monthly] returns the default a parent
// contract without one uses.
type BillingFrequency struct {
	ID          uuid.UUID
	DisplayName string
	Type        Type
	Interval    int
	Unit        Unit   // "frequency" in JSON
	Anchor      Anchor // AnchorStart by default
	Eq          bool   // every full period the same number of days
	Day         int    // 1–31: billing cycle day of a calendar M, Q or Y frequency; 0 for the 1st
}

// Monthly returns the frequency of a parent contract that names none:
// monthly, anniversary, fees in advance.
func Monthly() BillingFrequency {
	return BillingFrequency{Type: Anniversary, Interval: 1, Unit: Month, Anchor: AnchorStart}
}

// Validate reports every problem with f, joined.
func (f BillingFrequency) Validate() error {
	var stack [8]error // no allocation while nothing is wrong
	errs := append(stack[:0], limits.Text("schedule", "display_name", f.DisplayName))
	bad := func(field, format string, args ...any) {
		errs = append(errs, pricekit.Errorf(pricekit.ErrInvalidInput, "schedule", field, fmt.Sprintf(format, args...)))
	}
	if f.Type != Anniversary && f.Type != Calendar {
		bad("type", "unknown type %d (want 1 anniversary or 2 calendar)", int(f.Type))
	}
	if f.Interval < 1 {
		bad("interval", "interval %d is below 1", f.Interval)
	} else if f.Interval > 1000 {
		bad("interval", "interval %d is above 1000", f.Interval)
	}
	if f.Unit < Day || f.Unit > Year {
		bad("frequency", "unknown frequency (want D, W, M, Q or Y)")
	}
	if f.Anchor != AnchorStart && f.Anchor != AnchorEnd {
		bad("anchor", "unknown anchor (want S or E)")
	}
	if f.Day != 0 {
		switch {
		case f.Day < 1 || f.Day > 31:
			bad("day", "day %d is outside 1..31", f.Day)
		case f.Type != Calendar || f.Unit.months() == 0:
			bad("day", "day is only for a calendar (type 2) frequency of M, Q or Y")
		}
	}
	return errors.Join(errs...)
}

// Periods returns the billing periods of a contract that runs from start
// through the day before end (end is exclusive; 0 means evergreen), up to
// but not including until. Periods are computed from the anchor, never by
// chaining, so month ends do not drift.
func (f BillingFrequency) Periods(start, end, until date.Date) []Period {
	limit := until
	if end != 0 && end < limit {
		limit = end
	}
	if start >= limit {
		return nil
	}
	origin, anchorDay := start, start.Day()
	if f.Type == Calendar {
		origin, anchorDay = f.calendarOrigin(start)
	}
	n := max(f.Interval, 1)
	boundary := func(k int) date.Date {
		if f.Eq {
			return origin + date.Date(k*n*f.Unit.days())
		}
		return step(origin, anchorDay, f.Unit, k*n)
	}
	var out []Period
	for k, lo := 0, boundary(0); lo < limit; k++ {
		hi := boundary(k + 1)
		if hi <= lo { // cannot happen for a valid frequency; never loop forever
			break
		}
		p := Period{Start: max(lo, start), End: hi, FullStart: lo, FullEnd: hi}
		if end != 0 && p.End > end {
			p.End = end
		}
		if p.Start < p.End {
			out = append(out, p)
		}
		lo = hi
	}
	return out
}

// calendarOrigin returns the calendar boundary on or before start and the
// day of the month later boundaries fall on.
func (f BillingFrequency) calendarOrigin(start date.Date) (date.Date, int) {
	y, m, _ := start.Date()
	switch f.Unit {
	case Day:
		return start, start.Day()
	case Week:
		back := (int(start.Weekday()) + 6) % 7 // days since Monday
		return start - date.Date(back), 1
	}
	day := max(f.Day, 1)
	months := f.Unit.months()
	// The boundary month on or before start's month: any month for M, Jan,
	// Apr, Jul or Oct for Q, Jan for Y.
	bm := int(m) - (int(m)-1)%months
	b := date.New(y, time.Month(bm), min(day, DaysIn(y, bm)))
	if b > start {
		b = addMonths(b, -months, day)
	}
	return b, day
}

// SimDates lists the periods, as first and last (inclusive) day, that a
// contract running from start through end (inclusive) would have: the
// seed's sim_dates.
func SimDates(f BillingFrequency, start, end date.Date) ([][2]date.Date, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if end < start {
		return nil, pricekit.Errorf(pricekit.ErrInvalidInput, "schedule", "end_date", "end before start")
	}
	var out [][2]date.Date
	for _, p := range f.Periods(start, end+1, end+1) {
		out = append(out, [2]date.Date{p.Start, p.Last()})
	}
	return out, nil
}

type frequencyJSON struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
	Type        int       `json:"type"`
	Interval    int       `json:"interval"`
	Frequency   string    `json:"frequency"`
	Anchor      string    `json:"anchor"`
	Eq          bool      `json:"eq"`
	Day         *int      `json:"day,omitempty"`
}

// MarshalJSON writes f in the canonical document form.
func (f BillingFrequency) MarshalJSON() ([]byte, error) {
	w := frequencyJSON{ID: f.ID, DisplayName: f.DisplayName, Type: int(f.Type), Interval: f.Interval,
		Frequency: f.Unit.String(), Anchor: f.Anchor.String(), Eq: f.Eq}
	if f.Day != 0 {
		w.Day = &f.Day
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a billing frequency document (docs/documents.md), applying
// its defaults and refusing unknown fields. It validates what it reads.
func (f *BillingFrequency) UnmarshalJSON(data []byte) error {
	o, err := jsonx.Parse("schedule", data)
	if err != nil {
		return err
	}
	var v BillingFrequency
	o.Unversioned("a billing frequency")
	v.ID, _ = o.UUID("id")
	v.DisplayName = o.String("display_name")
	v.Type, v.Interval, v.Anchor = Anniversary, 1, AnchorStart
	if raw := o.Raw("type"); raw != nil {
		var name string
		if json.Unmarshal(raw, &name) == nil {
			switch name {
			case "anniversary":
				v.Type = Anniversary
			case "calendar":
				v.Type = Calendar
			default:
				o.Fail(pricekit.ErrInvalidInput, "type", "unknown type %q (want 1, 2, \"anniversary\" or \"calendar\")", name)
			}
		} else if n, err := jsonx.ParseInt(raw); err != nil || (n != 1 && n != 2) {
			o.Fail(pricekit.ErrInvalidInput, "type", "unknown type %s (want 1 anniversary or 2 calendar)", raw)
		} else {
			v.Type = Type(n)
		}
	}
	if n, ok := o.Int("interval"); ok {
		v.Interval = n
	}
	if o.Has("frequency") {
		u, err := ParseUnit(o.String("frequency"))
		o.Add("frequency", err)
		v.Unit = u
	} else {
		o.Raw("frequency")
		o.Fail(pricekit.ErrInvalidInput, "frequency", "frequency is required (D, W, M, Q or Y)")
	}
	if o.Has("anchor") {
		switch a := o.String("anchor"); a {
		case "S":
			v.Anchor = AnchorStart
		case "E":
			v.Anchor = AnchorEnd
		default:
			o.Fail(pricekit.ErrInvalidInput, "anchor", "unknown anchor %q (want S or E)", a)
		}
	} else {
		o.Raw("anchor")
	}
	v.Eq = o.Bool("eq")
	if n, ok := o.Int("day"); ok {
		v.Day = n
		if n == 0 {
			o.Fail(pricekit.ErrInvalidInput, "day", "day 0 is outside 1..31")
		}
	}
	if err := o.Finish(v.Validate()); err != nil {
		return err
	}
	*f = v
	return nil
}
