package schedule

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rickb777/date/v2"

	"github.com/pricekit/pricekit"
)

// Unit is the length a billing frequency counts in: a day, week, month,
// quarter or year. The zero Unit is invalid.
type Unit byte

// The units of docs/periods.md, written D, W, M, Q and Y in JSON.
const (
	Day Unit = iota + 1
	Week
	Month
	Quarter
	Year
)

// ParseUnit reads "D", "W", "M", "Q" or "Y"; anything else is refused with
// a *[pricekit.Error] of code invalid_input.
func ParseUnit(s string) (Unit, error) {
	switch s {
	case "D":
		return Day, nil
	case "W":
		return Week, nil
	case "M":
		return Month, nil
	case "Q":
		return Quarter, nil
	case "Y":
		return Year, nil
	}
	return 0, invalid("unknown frequency %q (want D, W, M, Q or Y)", clip(s))
}

// String returns the unit's letter, or "Unit(n)" for an invalid one.
func (u Unit) String() string {
	if u >= Day && u <= Year {
		return "DWMQY"[u-1 : u]
	}
	return "Unit(" + strconv.Itoa(int(u)) + ")"
}

// months is the length of a month-based unit in months, 0 for days and weeks.
func (u Unit) months() int {
	switch u {
	case Month:
		return 1
	case Quarter:
		return 3
	case Year:
		return 12
	}
	return 0
}

// days is the length of a day-based unit, or of one equal period (eq) of a
// month-based unit: D 1, W 7, M 30, Q 91, Y 365.
func (u Unit) days() int {
	switch u {
	case Day:
		return 1
	case Week:
		return 7
	case Month:
		return 30
	case Quarter:
		return 91
	case Year:
		return 365
	}
	return 0
}

// Every is a recurrence such as "3M" or "1Y": N units. It is a value type;
// the zero Every is invalid (and means "none" where a field is optional).
type Every struct {
	N    int
	Unit Unit
}

// ParseEvery reads a recurrence written as a whole number from 1 to 10 000
// and a unit letter: "1Y", "6M", "30D", "2W", "1Q". Anything else is
// refused with a *[pricekit.Error] of code invalid_input.
func ParseEvery(s string) (Every, error) {
	t := strings.TrimSpace(s)
	if len(t) < 2 {
		return Every{}, invalid("malformed recurrence %q (want a count and D, W, M, Q or Y, as in \"3M\")", clip(s))
	}
	unit, err := ParseUnit(strings.ToUpper(t[len(t)-1:]))
	if err != nil {
		return Every{}, invalid("malformed recurrence %q (want a count and D, W, M, Q or Y, as in \"3M\")", clip(s))
	}
	n, err := strconv.Atoi(t[:len(t)-1])
	if err != nil || n < 1 || n > 10000 || t[0] == '+' {
		return Every{}, invalid("malformed recurrence %q (want a count from 1 to 10000, as in \"3M\")", clip(s))
	}
	return Every{N: n, Unit: unit}, nil
}

// invalid is a refusal of a value of package schedule.
func invalid(format string, args ...any) error {
	return pricekit.Errorf(pricekit.ErrInvalidInput, "schedule", "", fmt.Sprintf(format, args...))
}

// clip shortens a bad value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// IsZero reports whether e is the zero Every.
func (e Every) IsZero() bool { return e == Every{} }

// String writes e as ParseEvery reads it ("3M").
func (e Every) String() string { return strconv.Itoa(e.N) + e.Unit.String() }

// MarshalText writes e as "3M".
func (e Every) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// Nth returns the first day of the k-th recurrence counted from anchor:
// anchor + k·N units, month arithmetic from the anchor's own day clamped to
// the month's end (never chained, so it never drifts).
func (e Every) Nth(anchor date.Date, k int) date.Date {
	return step(anchor, anchor.Day(), e.Unit, e.N*k)
}

// step moves from origin by n units. For month-based units it lands on
// anchorDay clamped to the target month's last day.
func step(origin date.Date, anchorDay int, u Unit, n int) date.Date {
	if m := u.months(); m > 0 {
		return addMonths(origin, m*n, anchorDay)
	}
	return origin + date.Date(u.days()*n)
}

// addMonths returns the day anchorDay (clamped to the month's end) of the
// month that lies months after origin's month.
func addMonths(origin date.Date, months, anchorDay int) date.Date {
	y, m, _ := civil(origin)
	idx := y*12 + m - 1 + months
	ty, tm := floorDiv(idx, 12), idx-floorDiv(idx, 12)*12+1
	return fromCivil(ty, tm, min(anchorDay, DaysIn(ty, tm)))
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// DaysIn returns the number of days of month m (1–12) of year y.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
