package schedule

import "github.com/rickb777/date/v2"

// The calendar arithmetic of grids, in integers: every period boundary of
// a monthly grid is a year and month turned into a day, and rating asks
// for many. These are the proleptic Gregorian conversions of Howard
// Hinnant's days_from_civil and civil_from_days, counted from 1970-01-01
// and shifted to date.Date's 0001-01-01; they agree with the time package
// on every day date.Date holds (see the tests) and cost a few
// multiplications instead of a time.Time.

// civil returns the year, month (1–12) and day of d.
func civil(d date.Date) (y, m, day int) {
	z := int(d) - date.ZeroOffset + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11], from March
	day = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, day
}

// fromCivil returns the day of year y, month m (1–12), day.
func fromCivil(y, m, day int) date.Date {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return date.Date(era*146097 + doe - 719468 + date.ZeroOffset)
}
